"""How noisy a letter's OCR is, estimated from its own text (and Tesseract's confidence).

The estimate is the share of the letter's words that standard Vietnamese spelling does not
allow (``syllables``): OCR's misreadings (a tone mark dropped or doubled, ơ read o beside a
checked final, a letter changed) mostly make such words, clean text almost never does
(proper names and loanwords aside). Acronyms in capitals (UBND, CCCD) and one-letter words
are not counted. When the kiosk sent Tesseract's mean word confidence for the pages, it is
kept beside the estimate as a second, independent reading.
"""
from __future__ import annotations

import re

from hub.dedup.syllables import is_syllable

_WORD = re.compile(r"[^\W\d_]+")
# Fewer words say too little; the estimate is then taken as unknown (0). A product decision
# (not fitted): at 20 words the estimate's binomial standard error at 10% noise is already
# sqrt(0.1 × 0.9 / 20) ≈ 7 points, and grows as the count falls.
MIN_WORDS = 20


def word_noise(text: str) -> float:
    """Share (0-1) of the text's words that are not Vietnamese syllables as spelling allows."""
    words = [w for w in _WORD.findall(text or "") if len(w) > 1 and not w.isupper()]
    if len(words) < MIN_WORDS:
        return 0.0
    return sum(not is_syllable(w) for w in words) / len(words)


def confidence_noise(confidences: list[float | None]) -> float | None:
    """1 - Tesseract's mean word confidence (0-100 per page) over the pages that have one; None if none."""
    known = [c for c in confidences if c is not None and c > 0]
    if not known:
        return None
    return max(0.0, 1.0 - sum(known) / len(known) / 100.0)
