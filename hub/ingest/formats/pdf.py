"""PDFs: the text layer where a page has one (pypdf), else the page rendered (pypdfium2) and read."""
from __future__ import annotations

import io
import math

from hub.exceptions import ImportFailed
from hub.ingest.formats import PageText, limits
from hub.ingest.formats.scans import Scan, read_scans

# A page with fewer letters than this in its text layer is a scan (a line of a letter has ~60;
# scanners stamp a few characters of header, OCR'd PDFs have hundreds): a product decision.
MIN_LAYER_LETTERS = 20
# Pages are rendered at the kiosk scanner's resolution.
RENDER_DPI = 300


def pdf_pages(data: bytes, name: str, *, deadline: float) -> list[PageText]:
    """Every page's text: from its text layer, or by OCR through the page pipeline."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError, PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        count = len(reader.pages)
        if count > limits.MAX_PAGES:
            raise ImportFailed(f"{name}: {count} pages (limit {limits.MAX_PAGES})",
                               message_vi=f"Tệp PDF có quá {limits.MAX_PAGES} trang; không nhập.")
        layer = [(p.extract_text() or "") for p in reader.pages]
    except ImportFailed:
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, AttributeError,
            RecursionError, OSError) as e:
        raise ImportFailed(f"{name}: not a readable PDF: {type(e).__name__}: {e}",
                           message_vi="Tệp PDF bị hỏng hoặc không đọc được.") from e
    scanned = [i for i, t in enumerate(layer) if sum(c.isalpha() for c in t) < MIN_LAYER_LETTERS]
    pages = [PageText(t) for t in layer]
    if scanned:
        read = read_scans(render(data, name, scanned), name, deadline=deadline)
        for i, page in zip(scanned, read, strict=True):
            pages[i] = page
    return pages


def render(data: bytes, name: str, indexes: list[int]) -> list[Scan]:
    """Pages of a PDF as page images at the scanner's resolution (less for oversized pages)."""
    import pypdfium2 as pdfium
    from PIL import Image

    from hub.ingest.formats.scans import png_bytes

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        raise ImportFailed(f"{name}: PDFium cannot open it: {e}",
                           message_vi="Tệp PDF bị hỏng hoặc không đọc được.") from e
    scans = []
    try:
        for i in indexes:
            page = pdf[i]
            w_pt, h_pt = page.get_size()
            dpi = float(RENDER_DPI)
            if w_pt * h_pt * (dpi / 72) ** 2 > limits.MAX_PIXELS:  # a poster-sized page
                dpi = 72 * math.sqrt(limits.MAX_PIXELS / max(1.0, w_pt * h_pt))
            if dpi < 50:
                raise ImportFailed(f"{name}: page {i + 1} is {w_pt / 72:.0f}x{h_pt / 72:.0f} in, not a page",
                                   message_vi="Trang PDF quá khổ; không nhập.")
            image: Image.Image = page.render(scale=dpi / 72).to_pil()  # colour: seals drop out
            if image.mode != "L":
                image = image.convert("RGB")
            scans.append(Scan(png_bytes(image, round(dpi)), round(dpi)))
            page.close()
    except pdfium.PdfiumError as e:
        raise ImportFailed(f"{name}: PDFium cannot render a page: {e}",
                           message_vi="Tệp PDF bị hỏng hoặc không đọc được.") from e
    finally:
        pdf.close()
    return scans
