"""Scanned pages at the hub: images (JPEG, PNG, TIFF, HEIC) and PDF pages read by the kiosk's pipeline.

Each page goes through ``edge.batch.process_batch`` with ``edge.pipeline``'s stages, exactly
as a page scanned at a kiosk: same imaging, same Tesseract, same flags.
"""
from __future__ import annotations

import io
import logging
import os
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, ImageSequence

from edge.imaging.decode import info_dpi
from edge.imaging.resolution import page_dpi, square_scale, text_dpi
from hub.exceptions import ImportFailed
from hub.ingest.formats import PageText, limits

log = logging.getLogger(__name__)

try:  # HEIC photos from phones; without the package they get a clear refusal
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIC = True
except ImportError:  # pragma: no cover - the package is a dependency
    HEIC = False


@dataclass(frozen=True)
class Scan:
    """One page image ready for the pipeline: PNG bytes (8-bit gray or RGB) and the resolution to read it at."""

    png: bytes
    dpi: int


def image_pages(data: bytes, name: str, *, deadline: float) -> list[PageText]:
    """OCR every frame of an image file (a multi-page TIFF is one page a frame)."""
    return read_scans(list(image_scans(data, name)), name, deadline=deadline)


def image_scans(data: bytes, name: str) -> Iterator[Scan]:
    """The frames of an image file as pipeline-ready scans, refusing bombs before decoding."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            frames = getattr(img, "n_frames", 1)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise _too_big(name, str(e)) from e
    except Exception as e:  # Pillow's plugins fail with OSError, SyntaxError, struct.error ...
        raise _broken(name, f"{type(e).__name__}: {e}") from e
    if frames > limits.MAX_PAGES:
        raise ImportFailed(f"{name}: {frames} pages (limit {limits.MAX_PAGES})",
                           message_vi=f"Tệp có quá {limits.MAX_PAGES} trang; không nhập.")
    with img:
        for k, frame in enumerate(ImageSequence.Iterator(img)):
            w, h = frame.size
            if w * h > limits.MAX_PIXELS:
                raise _too_big(name, f"page {k + 1} is {w}x{h} px (limit {limits.MAX_PIXELS} pixels)")
            # Colour stays colour: the pipeline drops red seals and blue signatures by their hue.
            mode = "RGB" if frame.mode in ("RGB", "RGBA", "P", "CMYK", "YCbCr", "LAB") else "L"
            try:
                page = ImageOps.exif_transpose(frame.convert(mode) if frame.mode != mode else frame.copy())
            except Exception as e:
                raise _broken(name, f"page {k + 1}: {type(e).__name__}: {e}") from e
            xdpi, ydpi = info_dpi(frame.info)
            fx, fy = square_scale(xdpi, ydpi)
            if (fx, fy) != (1.0, 1.0):  # fax: rows at half the resolution of columns
                size = (round(page.width * fx), round(page.height * fy))
                if size[0] * size[1] > limits.MAX_PIXELS:  # a header's resolutions far apart: a bomb
                    raise _too_big(name, f"page {k + 1} would be {size[0]}x{size[1]} px at square pixels "
                                         f"(limit {limits.MAX_PIXELS} pixels)")
                page = page.resize(size, Image.Resampling.BICUBIC)
            dpi = page_dpi(max(xdpi or 0, ydpi or 0) or None, page.width, page.height,
                           text=lambda page=page: text_dpi(np.asarray(page.convert("L"))))
            yield Scan(png_bytes(page, dpi), dpi)


def png_bytes(page: Image.Image, dpi: int) -> bytes:
    """A page as PNG bytes carrying its resolution."""
    buf = io.BytesIO()
    page.save(buf, format="PNG", compress_level=1, dpi=(dpi, dpi))
    return buf.getvalue()


def read_scans(scans: list[Scan], name: str, *, deadline: float) -> list[PageText]:
    """Run scans through the page pipeline on the hub's cores; ImportFailed if a page cannot be read
    or the reading goes past ``deadline`` (``time.monotonic()``: the whole file's OCR budget)."""
    from edge.batch import process_batch
    from edge.pipeline import Page, PipelineContext

    pages: list[PageText] = []
    start = time.monotonic()
    workers = max(1, min(4, os.cpu_count() or 1))
    # One batch per run of pages at one resolution (the context is frozen per batch).
    runs: list[list[int]] = []
    for i, scan in enumerate(scans):
        if runs and scans[runs[-1][0]].dpi == scan.dpi:
            runs[-1].append(i)
        else:
            runs.append([i])
    for run in runs:
        ctx = PipelineContext(dpi=scans[run[0]].dpi, pdf=False)
        results = process_batch(run, lambda i: scans[i].png, ctx=ctx, workers=workers,
                                source=lambda i: f"{name}#{i + 1}")
        try:
            for i, res in results:
                if not isinstance(res, Page):
                    detail = getattr(res, "detail", str(res))
                    raise ImportFailed(f"{name}: page {i + 1} could not be read: {detail}",
                                       message_vi=getattr(res, "message_vi", None)
                                       or "Không đọc được một trang của tệp.")
                pages.append(PageText(res.text, tuple(res.flags)))
                if time.monotonic() > deadline:
                    raise ImportFailed(f"{name}: reading stopped after {limits.OCR_BUDGET_S:.0f} s",
                                       message_vi="Đọc tệp quét quá lâu; đã dừng.")
        finally:
            results.close()
    log.info("import: %d scanned pages read in %.1f s", len(pages), time.monotonic() - start)
    return pages


def _broken(name: str, why: str) -> ImportFailed:
    return ImportFailed(f"{name}: not a readable image: {why}",
                        message_vi="Tệp ảnh bị hỏng hoặc không đọc được.")


def _too_big(name: str, why: str) -> ImportFailed:
    return ImportFailed(f"{name}: refused: {why}",
                        message_vi="Ảnh quá lớn (có thể là tệp độc hại); không nhập.")
