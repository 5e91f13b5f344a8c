"""Is a page handwritten? Tesseract's word confidences say.

Tesseract's Vietnamese model is trained on print: on handwriting it still returns words, most
of them at low confidence, so a handwritten petition would become a document of junk text that
nobody flagged. A page with enough words of which at least ``LOW_SHARE`` read below
``LOW_WORD_CONFIDENCE`` is flagged ``handwritten`` (a poor copy of print that reads as badly is
flagged too, and deserves the same look by a person). ``LOW_SHARE`` is fitted by
``python -m tests.bench.bench_handwriting``: the middle of the gap between print (also blurred,
JPEG'd copies) and handwriting-font pages through the scan simulator, 0.08 and 0.36 on 30 pages
(seed 31) and 0.07 and 0.54 on 15 (seed 30).
"""
from __future__ import annotations

from dataclasses import dataclass

from edge.ocr.tesseract import OcrResult

# A word below this confidence (Tesseract's 0-100) counts as unsure.
LOW_WORD_CONFIDENCE = 50.0
# Share of unsure words at or above which a page is handwritten (fitted, see above).
LOW_SHARE = 0.22
# Fewer words than this and the page is not judged (a stamp, a signature, a blank back).
MIN_WORDS = 8


@dataclass(frozen=True)
class HandwritingCues:
    """What the decision rests on, recorded with the page."""

    words: int
    low_share: float


def cues(res: OcrResult) -> HandwritingCues:
    """The cues of a page's reading."""
    confs = [w.conf for w in res.boxes if w.conf >= 0]
    low = sum(c < LOW_WORD_CONFIDENCE for c in confs) / len(confs) if confs else 0.0
    return HandwritingCues(words=len(confs), low_share=round(low, 3))


def looks_handwritten(c: HandwritingCues) -> bool:
    """The fitted rule: enough words, and a large share of them unsure."""
    return c.words >= MIN_WORDS and c.low_share >= LOW_SHARE
