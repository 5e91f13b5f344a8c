"""The one place that decides which way up a page is read.

1. The imaging stage measures the cheap cues (``edge.imaging.orientation``: the lines'
   direction from the skew sweep, up or down from the ink above and below the lines) and turns
   the page only as far as they are sure; it never runs OCR.
2. When they are unsure *and* the page then reads poorly, the page is read the other ways up
   here: turned 180°, and 90°/270° when the page is wider than tall (lines that may run down
   it), first on its inkiest band of lines (a quarter of the page: a quarter of the OCR time),
   and in full only where the band reads clearly better. The reading Tesseract is surer of is
   kept. An upside-down poor copy reads as garbage at ~40 confidence and right way up at ~75+,
   so its own confidence tells the two apart where the cue cannot.
Pages the cue was sure of, or that read well, cost nothing more.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from edge.ocr import OcrResult

# An imaging record at or above this orientation confidence needs no second opinion: the cue
# was at least twice its trust threshold (edge.imaging.orientation.cue_confidence).
SURE = 0.99
# A turned band must read this many confidence points (Tesseract's 0-100 word mean) above the
# page as first read before the whole page is read turned: the two readings of the same ink
# the right and the wrong way up differ by 30+ points on the poor copies of the orientation
# bench, a page re-read the same way up by a few.
BAND_MARGIN = 10.0
# Share of the page height read as the trial band.
BAND_SHARE = 0.25


@dataclass(frozen=True)
class Reading:
    """A page reading and the clockwise quarter turn (0/90/180/270) of the image it was read on."""

    turn: int
    result: OcrResult
    passes: int


def reads_poorly(res: OcrResult, low_confidence: float) -> bool:
    """Is a reading poor enough to look again (low confidence or almost no words)?"""
    return res.confidence < low_confidence or res.words < 3


def turns_to_try(orientation_confidence: float, width: int, height: int) -> tuple[int, ...]:
    """Clockwise turns worth a trial reading for a page the cue was unsure of (none if it was sure)."""
    if orientation_confidence >= SURE:
        return ()
    return (180, 90, 270) if width > height else (180,)


def turned(image: np.ndarray, turn: int) -> np.ndarray:
    """The image turned clockwise by ``turn`` degrees (a multiple of 90)."""
    return np.ascontiguousarray(np.rot90(image, -turn // 90)) if turn % 360 else image


def inkiest_band(image: np.ndarray, share: float = BAND_SHARE) -> np.ndarray:
    """The horizontal band (``share`` of the height) with the most dark pixels."""
    h = image.shape[0]
    band = max(8, int(h * share))
    if band >= h:
        return image
    ink = (image < 128).sum(axis=1, dtype=np.int64)
    window = np.convolve(ink, np.ones(band, np.int64), mode="valid")
    top = int(np.argmax(window))
    return np.ascontiguousarray(image[top : top + band])


def read_upright(image: np.ndarray, first: OcrResult, *, turns: tuple[int, ...],
                 read: Callable[[np.ndarray], OcrResult],
                 trial: Callable[[np.ndarray], OcrResult] | None = None) -> Reading:
    """The best reading of a page first read as ``first``: turned by one of ``turns``, or as it was.

    ``read`` reads a whole page, ``trial`` (default ``read``) a band without extras (PDF).
    """
    trial = trial or read
    best_turn, best, passes = 0, first, 0
    for turn in turns:
        view = turned(image, turn)
        band = trial(inkiest_band(view))
        passes += 1
        if band.words < 3 or band.confidence < first.confidence + BAND_MARGIN:
            continue
        full = read(view)
        passes += 1
        if full.confidence > best.confidence and full.words >= best.words // 2:
            best_turn, best = turn, full
    return Reading(best_turn, best, passes)
