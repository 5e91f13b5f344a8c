"""The page pipeline, in order: decode → deskew → OCR → archive image; then per document: fingerprint.

Each stage is a function of a page and the frozen context that returns a new page.
Stages do no I/O besides running Tesseract; the agent reads and writes the spool.
"""
from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from edge import imaging, ocr
from edge.exceptions import EdgeError, ImageError
from edge.fingerprint import fingerprint
from edge.fingerprint.identity import identity_keys
from edge.wire import Fingerprint

ARCHIVE_JPEG_QUALITY = 75


@dataclass(frozen=True)
class PipelineContext:
    """Settings every page is processed with."""

    lang: str = "vie"
    psm: int = 3
    ocr_timeout_s: float = 120.0
    dpi: int = 300
    min_skew_confidence: float = 0.3
    max_skew_degrees: float = 45.0
    low_ocr_confidence: float = 60.0


@dataclass(frozen=True)
class Page:
    """A page on its way through the stages; later stages fill later fields."""

    source: str
    raw: bytes
    scan_sha256: str = ""
    gray: np.ndarray | None = field(default=None, repr=False)
    width: int = 0
    height: int = 0
    skew_degrees: float = 0.0
    skew_confidence: float = 0.0
    deskewed: bool = False
    text: str = ""
    ocr_confidence: float = 0.0
    words: int = 0
    archive: bytes = field(default=b"", repr=False)
    archive_mime: str = ""
    archive_sha256: str = ""
    flags: tuple[str, ...] = ()
    timings_ms: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class PageFailed:
    """A page the pipeline could not process: what happened, in both languages."""

    source: str
    scan_sha256: str
    code: str
    detail: str
    message_vi: str
    timings_ms: dict[str, float]


Stage = Callable[[Page, PipelineContext], Page]


def decode(page: Page, ctx: PipelineContext) -> Page:
    """Image file bytes → 8-bit grayscale array."""
    gray = imaging.decode(page.raw)
    return replace(page, gray=gray, width=int(gray.shape[1]), height=int(gray.shape[0]))


def deskew(page: Page, ctx: PipelineContext) -> Page:
    """Estimate skew and straighten the page when the estimate is confident."""
    result = imaging.deskew(
        page.gray, min_confidence=ctx.min_skew_confidence, max_angle=ctx.max_skew_degrees
    )
    flags = page.flags if result.applied else (*page.flags, "skew_uncertain")
    return replace(
        page,
        gray=result.image,
        skew_degrees=round(result.estimate.angle_degrees, 3),
        skew_confidence=round(result.estimate.confidence, 3),
        deskewed=result.applied,
        flags=flags,
    )


def recognize(page: Page, ctx: PipelineContext) -> Page:
    """OCR the straightened page in Vietnamese."""
    res = ocr.recognize(page.gray, lang=ctx.lang, psm=ctx.psm, dpi=ctx.dpi, timeout_s=ctx.ocr_timeout_s)
    flags = page.flags
    if res.words and res.confidence < ctx.low_ocr_confidence:
        flags = (*flags, "low_confidence")
    if not res.words:
        flags = (*flags, "no_text")
    return replace(page, text=res.text, ocr_confidence=res.confidence, words=res.words, flags=flags)


def archive(page: Page, ctx: PipelineContext) -> Page:
    """Compress the straightened page for the record the hub keeps."""
    ok, buf = cv2.imencode(".jpg", page.gray, [cv2.IMWRITE_JPEG_QUALITY, ARCHIVE_JPEG_QUALITY])
    if not ok:
        raise ImageError("could not encode the page as JPEG")
    data = buf.tobytes()
    return replace(
        page, archive=data, archive_mime="image/jpeg",
        archive_sha256=hashlib.sha256(data).hexdigest(), gray=None,
    )


STAGES: tuple[tuple[str, Stage], ...] = (
    ("decode", decode),
    ("deskew", deskew),
    ("ocr", recognize),
    ("archive", archive),
)


def process_page(raw: bytes, *, source: str, ctx: PipelineContext) -> Page | PageFailed:
    """Run one page through every stage; an expected failure comes back as PageFailed."""
    page = Page(source=source, raw=raw, scan_sha256=hashlib.sha256(raw).hexdigest())
    timings: dict[str, float] = {}
    for name, stage in STAGES:
        start = time.perf_counter()
        try:
            page = stage(page, ctx)
        except EdgeError as e:
            timings[name] = round((time.perf_counter() - start) * 1000, 1)
            return PageFailed(source, page.scan_sha256, e.code, e.detail, e.message_vi, timings)
        timings[name] = round((time.perf_counter() - start) * 1000, 1)
    timings["total"] = round(sum(timings.values()), 1)
    return replace(page, timings_ms=timings)


@dataclass(frozen=True)
class DocumentPrint:
    """What the hub needs to match a document: fingerprint and identity keys of its text."""

    fingerprint: Fingerprint
    identity_keys: tuple[str, ...]


def fingerprint_document(texts: Sequence[str]) -> DocumentPrint:
    """Fingerprint a document from its pages' texts, in order."""
    text = "\n".join(texts)
    return DocumentPrint(fingerprint=fingerprint(text), identity_keys=identity_keys(text))
