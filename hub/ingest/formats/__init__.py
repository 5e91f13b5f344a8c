"""The text of an imported file, whatever kind it is: one reader per kind, chosen by the bytes.

Text comes from the file itself where it has some (.txt, .docx, .odt, a mail's body, a PDF's
text layer); scanned pages (images, PDF pages without text) are read through the kiosk's own
page pipeline (``edge.pipeline``: the same imaging, the same Tesseract).
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import PurePath

from hub.exceptions import ImportFailed
from hub.ingest.formats import limits

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PageText:
    """One page of an imported document: its text and what the page pipeline flagged on it."""

    text: str
    flags: tuple[str, ...] = ()


ACCEPTED = ".txt, .docx, .odt, .eml, .pdf, .jpg, .png, .tif, .heic"
_IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".heic", ".heif"}


def kind_of(name: str, data: bytes) -> str:
    """The kind of a file from its first bytes (its name only where the bytes cannot tell)."""
    suffix = PurePath(name).suffix.lower()
    head = data[:16]
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"II*\0", b"MM\0*")):
        return "image"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis"):
        return "image"
    if head.startswith(b"PK\x03\x04"):
        if suffix == ".odt" or b"application/vnd.oasis.opendocument.text" in data[:100]:
            return "odt"
        return "docx"  # a .docx, or a zip that python-docx then refuses by name
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "doc"
    if suffix == ".eml":
        return "eml"
    if suffix in (".txt", ".text", ""):
        return "text"
    if suffix in _IMAGE_SUFFIXES:
        return "image"  # named an image but not one: Pillow says what is wrong
    return "unknown"


def too_large(name: str) -> ImportFailed:
    """The refusal of a file (or a mail's attachment) past ``limits.MAX_FILE_BYTES``."""
    mb = limits.MAX_FILE_BYTES // 2**20
    return ImportFailed(f"{name}: larger than {mb} MB", message_vi=f"Tệp lớn hơn {mb} MB; không nhập.")


def extract(name: str, data: bytes, *, depth: int = 0, deadline: float | None = None) -> list[PageText]:
    """The pages of one file (or a mail's attachment); ImportFailed with the reason if unreadable.

    ``deadline`` (``time.monotonic()``) bounds the OCR of the whole file, attachments included;
    a file's own call sets it ``limits.OCR_BUDGET_S`` ahead.
    """
    if deadline is None:
        deadline = time.monotonic() + limits.OCR_BUDGET_S
    try:
        return _extract(name, data, depth=depth, deadline=deadline)
    except ImportFailed:
        raise
    except (Exception, RecursionError) as e:
        # The parsers (python-docx, odfpy, pypdf, PDFium, Pillow, email) meet hostile input with
        # errors of their own; this file fails, the others of the run go on.
        log.warning("import: a file's reader failed: %s", type(e).__name__)
        raise ImportFailed(f"{name}: could not be read: {type(e).__name__}: {str(e)[:200]}",
                           message_vi="Tệp bị hỏng hoặc không đọc được.") from e


def _extract(name: str, data: bytes, *, depth: int, deadline: float) -> list[PageText]:
    if len(data) > limits.MAX_FILE_BYTES:
        raise too_large(name)
    kind = kind_of(name, data)
    if kind == "text":
        from hub.ingest.formats.text import decode_text

        return [PageText(t) for t in decode_text(data, name).split("\f")]
    if kind == "docx":
        from hub.ingest.formats.office import docx_text

        return [PageText(docx_text(data, name))]
    if kind == "odt":
        from hub.ingest.formats.office import odt_text

        return [PageText(odt_text(data, name))]
    if kind == "eml":
        from hub.ingest.formats.mail import mail_pages

        return mail_pages(data, name, depth=depth, deadline=deadline)
    if kind == "pdf":
        from hub.ingest.formats.pdf import pdf_pages

        return pdf_pages(data, name, deadline=deadline)
    if kind == "image":
        from hub.ingest.formats.scans import image_pages

        return image_pages(data, name, deadline=deadline)
    if kind == "doc":
        raise ImportFailed(f"{name}: an old binary Word file (.doc); save it as .docx",
                           message_vi="Tệp Word cũ (.doc) không nhập được. Hãy lưu lại dưới dạng .docx.")
    raise ImportFailed(f"{name}: this kind of file cannot be imported (accepted: {ACCEPTED})",
                       message_vi="Không nhập được loại tệp này. Nhận: .txt, .docx, .odt, .eml, "
                                  ".pdf và ảnh chụp/quét (.jpg, .png, .tif, .heic).")
