"""The page pipeline, in order: decode → prepare (imaging) → OCR → archive; per document: fingerprint.

Each stage is a function of a page and the frozen context that returns a new page.
Stages do no I/O besides running Tesseract; the agent reads and writes the spool.
"""
from __future__ import annotations

import gc
import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np

from edge import imaging, ocr, orientation
from edge.exceptions import EdgeError, ImageError
from edge.fingerprint import fingerprint
from edge.fingerprint.identity import identity_keys
from edge.ocr import handwriting
from edge.wire import Fingerprint

if TYPE_CHECKING:
    from edge.config import EdgeConfig

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
    orientation: bool = True
    pdf: bool = True
    colour_dropout: bool = True


@dataclass(frozen=True)
class Page:
    """A page on its way through the stages; later stages fill later fields."""

    source: str
    raw: bytes
    scan_sha256: str = ""
    dpi: int = 0  # the resolution the page is processed at (decode: the file's, else the scanner's)
    gray: np.ndarray | None = field(default=None, repr=False)
    colour: np.ndarray | None = field(default=None, repr=False)  # RGB of a colour scan, archived
    ocr_input: np.ndarray | None = field(default=None, repr=False)
    width: int = 0
    height: int = 0
    imaging: dict[str, Any] = field(default_factory=dict)
    skew_degrees: float = 0.0
    skew_confidence: float = 0.0
    deskewed: bool = False
    blank: bool = False
    text: str = ""
    ocr_confidence: float = 0.0
    words: int = 0
    word_boxes: tuple[tuple[str, float, int, int, int, int], ...] = field(default=(), repr=False)
    ocr_passes: int = 0
    pdf: bytes = field(default=b"", repr=False)
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


def pipeline_context(cfg: EdgeConfig) -> PipelineContext:
    """The frozen page context from the appliance config."""
    return PipelineContext(
        lang=cfg.ocr.lang, psm=cfg.ocr.psm, ocr_timeout_s=cfg.ocr.timeout_s, dpi=cfg.scanner.dpi,
        min_skew_confidence=cfg.imaging.min_skew_confidence,
        max_skew_degrees=cfg.imaging.max_skew_degrees, low_ocr_confidence=cfg.ocr.low_confidence,
    )


def decode(page: Page, ctx: PipelineContext) -> Page:
    """Image file bytes → 8-bit grayscale array at its resolution; the page lets the bytes go (the spool keeps them).

    The resolution is the file's when it is plausible for a page, else the scanner's setting
    (``ctx.dpi``), else what an A4 sheet of that size would have, or its text's line pitch where
    the two disagree (edge.imaging.resolution).
    """
    scan = imaging.decode_scan(page.raw, colour=ctx.colour_dropout)
    dpi = imaging.page_dpi(scan.dpi, scan.gray.shape[1], scan.gray.shape[0], expected=ctx.dpi,
                           text=lambda: imaging.text_dpi(scan.gray))
    return replace(page, gray=scan.gray, colour=scan.rgb, raw=b"", dpi=dpi)


def prepare(page: Page, ctx: PipelineContext) -> Page:
    """Upright, straighten, remove borders, crop, binarize; flag blank pages."""
    gray, dropped, dpi = page.gray, 0.0, page.dpi or ctx.dpi
    if page.colour is not None:  # red seals and blue signatures are not text: paper for OCR
        gray, dropped = imaging.dropout(page.colour, page.gray)
    prep = imaging.prepare(gray, keep=page.colour, dpi=dpi,
                           min_skew_confidence=ctx.min_skew_confidence,
                           max_skew_degrees=ctx.max_skew_degrees, orientation=ctx.orientation)
    rec = prep.record
    flags = page.flags
    if rec.skew_confidence < ctx.min_skew_confidence and not rec.blank:
        flags = (*flags, "skew_uncertain")  # left as scanned, and it says so
    if rec.blank:
        flags = (*flags, "blank")
    return replace(
        page, gray=prep.archive, colour=prep.kept, ocr_input=prep.ocr,
        imaging={**asdict(rec), "dpi": dpi, "colour_ink_share": round(dropped, 4)},
        width=int(prep.archive.shape[1]), height=int(prep.archive.shape[0]),
        skew_degrees=round(rec.skew_degrees, 3), skew_confidence=round(rec.skew_confidence, 3),
        deskewed=rec.deskewed, blank=rec.blank, flags=flags,
    )


def recognize(page: Page, ctx: PipelineContext) -> Page:
    """OCR in Vietnamese; only a page that reads poorly gets a second look (other ways up, gray)."""
    if page.blank:  # nothing to read; the page is kept and shown to the staff as blank
        return page
    ctx = replace(ctx, dpi=page.dpi or ctx.dpi)  # Tesseract sizes its search by the page's own
    res = _ocr(page.ocr_input, ctx, invert=False)  # binarized dark on light by the imaging stage
    passes = 1
    if orientation.reads_poorly(res, ctx.low_ocr_confidence):
        turns = orientation.turns_to_try(page.imaging.get("orientation_confidence", 0.0),
                                         page.width, page.height) if ctx.orientation else ()
        trial_ctx = replace(ctx, pdf=False)
        better = orientation.read_upright(
            page.ocr_input, res, turns=turns, read=lambda img: _ocr(img, ctx, invert=False),
            trial=lambda img: _ocr(img, trial_ctx, invert=False))
        passes += better.passes
        if better.turn:
            res, page = better.result, _turn(page, better.turn)
        else:
            again = _ocr(page.gray, ctx)
            passes += 1
            if again.words >= res.words // 2 and again.confidence > res.confidence:
                res = again
    flags = page.flags
    if res.words and res.confidence < ctx.low_ocr_confidence:
        flags = (*flags, "low_confidence")
    if res.words and page.gray is not None:  # a blank page is no handwriting
        hand = handwriting.is_handwritten(page.gray, res, dpi=ctx.dpi)  # the page's, set above
        if hand.handwritten:  # Tesseract reads print: its text here is no reading
            flags = (*flags, "handwritten")
        page = replace(page, imaging={**page.imaging, "handwriting": {
            "score": round(hand.score, 3), "reasons": list(hand.reasons)}})
    if not res.words:
        flags = (*flags, "no_text")
    return replace(
        page, text=res.text, ocr_confidence=res.confidence, words=res.words, flags=flags,
        word_boxes=tuple((w.text, w.conf, w.left, w.top, w.width, w.height) for w in res.boxes),
        ocr_passes=passes, pdf=res.pdf, ocr_input=None,
    )


def _ocr(image: np.ndarray, ctx: PipelineContext, *, invert: bool = True) -> ocr.OcrResult:
    return ocr.recognize(image, lang=ctx.lang, psm=ctx.psm, dpi=ctx.dpi,
                         timeout_s=ctx.ocr_timeout_s, pdf=ctx.pdf, invert=invert)


def _turn(page: Page, turn: int) -> Page:
    """The page turned clockwise by ``turn``, as ``edge.orientation`` decided."""
    rec = {**page.imaging, "orientation": (page.imaging.get("orientation", 0) + turn) % 360,
           "orientation_source": "ocr"}
    side = turn in (90, 270)
    colour = None if page.colour is None else orientation.turned(page.colour, turn)
    return replace(page, gray=orientation.turned(page.gray, turn), colour=colour,
                   ocr_input=orientation.turned(page.ocr_input, turn), imaging=rec,
                   width=page.height if side else page.width,
                   height=page.width if side else page.height)


def archive(page: Page, ctx: PipelineContext) -> Page:
    """Compress the straightened page for the record the hub keeps (in colour when scanned so)."""
    image = page.gray if page.colour is None else cv2.cvtColor(page.colour, cv2.COLOR_RGB2BGR)
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, ARCHIVE_JPEG_QUALITY])
    if not ok:
        raise ImageError("could not encode the page as JPEG")
    data = buf.tobytes()
    return replace(
        page, archive=data, archive_mime="image/jpeg",
        archive_sha256=hashlib.sha256(data).hexdigest(), gray=None, colour=None,
    )


# Imaging, then OCR: a batch runs the imaging stages of later pages while earlier ones are read.
IMAGING_STAGES: tuple[tuple[str, Stage], ...] = (
    ("decode", decode),
    ("prepare", prepare),
)
OCR_STAGES: tuple[tuple[str, Stage], ...] = (
    ("ocr", recognize),
    ("archive", archive),
)
STAGES = IMAGING_STAGES + OCR_STAGES


def process_page(raw: bytes, *, source: str, ctx: PipelineContext) -> Page | PageFailed:
    """Run one page through every stage; an expected failure comes back as PageFailed."""
    page = start_page(raw, source=source, ctx=ctx)
    del raw  # the page alone holds the scan now, and decode lets it go (MBs a page during OCR)
    return page if isinstance(page, PageFailed) else finish_page(page, ctx)


def start_page(raw: bytes, *, source: str, ctx: PipelineContext) -> Page | PageFailed:
    """The imaging stages of one page: the page ready for OCR, or PageFailed."""
    page = Page(source=source, raw=raw, scan_sha256=hashlib.sha256(raw).hexdigest())
    del raw
    return _run(page, IMAGING_STAGES, ctx)


def finish_page(page: Page, ctx: PipelineContext) -> Page | PageFailed:
    """The OCR stages of a page from ``start_page``: the processed page, or PageFailed."""
    done = _run(page, OCR_STAGES, ctx)
    if isinstance(done, PageFailed):
        return done
    timings = {**done.timings_ms}
    timings["total"] = round(sum(timings.values()), 1)
    return replace(done, timings_ms=timings)


def _run(page: Page, stages: tuple[tuple[str, Stage], ...], ctx: PipelineContext) -> Page | PageFailed:
    timings = dict(page.timings_ms)
    for name, stage in stages:
        start = time.perf_counter()
        try:
            page = stage(page, ctx)
        except EdgeError as e:
            timings[name] = round((time.perf_counter() - start) * 1000, 1)
            return PageFailed(page.source, page.scan_sha256, e.code, e.detail, e.message_vi, timings)
        timings[name] = round((time.perf_counter() - start) * 1000, 1)
    return replace(page, timings_ms=timings)


def warm_up(ctx: PipelineContext) -> float:
    """Load the imaging kernels (Numba cache) on a small made-up scan, then freeze the heap; seconds.

    The agent and ``edge process`` call it at start-up (in a thread) so that the first
    scanned page does not wait for it; a failure here only means the first page pays instead.
    """
    start = time.perf_counter()
    page = np.full((1170, 830), 255, np.uint8)
    for i in range(24):  # text-like lines, a tilt and a lid edge: every imaging kernel runs
        cv2.putText(page, f"Kinh gui Uy ban nhan dan phuong {i}", (60, 80 + 42 * i),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.8, 0, 2)
    page[:, :25] = 40
    page = cv2.warpAffine(page, cv2.getRotationMatrix2D((415, 585), 3.0, 1.0), (830, 1170),
                          borderValue=255)
    try:
        page = imaging.decode(cv2.imencode(".png", page)[1].tobytes())  # the scanner's format
        imaging.prepare(page, dpi=100, min_skew_confidence=ctx.min_skew_confidence,
                        max_skew_degrees=ctx.max_skew_degrees, orientation=ctx.orientation)
    except EdgeError:
        pass
    # Loading the kernels leaves ~10^5 long-lived objects (Numba's types, compiled overloads)
    # that every full garbage collection would walk again, the last one at exit (~0.2 s after
    # `edge process` has printed its last page). Frozen, the collector skips them; they are
    # never garbage anyway.
    gc.freeze()
    return time.perf_counter() - start


@dataclass(frozen=True)
class DocumentPrint:
    """What the hub needs to match a document: fingerprint and identity keys of its text."""

    fingerprint: Fingerprint
    identity_keys: tuple[str, ...]


def page_summary(page: Page) -> dict[str, Any]:
    """What is recorded about a processed page (spool result, ``edge process --json``)."""
    return {
        "width": page.width, "height": page.height, "skew_degrees": page.skew_degrees,
        "skew_confidence": page.skew_confidence, "deskewed": page.deskewed, "blank": page.blank,
        "imaging": page.imaging, "ocr_confidence": page.ocr_confidence, "words": page.words,
        "ocr_passes": page.ocr_passes, "flags": list(page.flags), "scan_sha256": page.scan_sha256,
        "text": page.text, "timings_ms": page.timings_ms,
    }


def fingerprint_document(texts: Sequence[str]) -> DocumentPrint:
    """Fingerprint a document from its pages' texts, in order."""
    text = "\n".join(texts)
    return DocumentPrint(fingerprint=fingerprint(text), identity_keys=identity_keys(text))
