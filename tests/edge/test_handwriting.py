"""Handwritten pages are flagged instead of passing their junk text off as read; typed pages,
poor copies among them, are not. Pages are written in handwriting fonts the model was not
fitted on, scanned by samplegen's simulator and read by the real Tesseract."""
from __future__ import annotations

import json
import random

import numpy as np
import pytest
from PIL import ImageDraw

from edge.exceptions import ImageError
from edge.ocr import recognize
from edge.ocr.handwriting import MODEL_FILE, is_handwritten
from samplegen import make_petition
from samplegen.handwriting import write_page
from samplegen.scan import draw_params, simulate_scan
from tests.bench.bench_handwriting import page_for

DPI = 150


def _hand(font: str, seed: int) -> np.ndarray:
    rng = random.Random(seed)
    page = write_page(make_petition(rng).text, font=font, dpi=DPI, seed=seed, jitter=1.0)
    scan = simulate_scan(page.image, draw_params(rng, noise=0.5, lid_edge=False), seed=seed, dpi=DPI)
    return np.asarray(scan)


def _typed(seed: int, poor: float | None) -> np.ndarray:
    """A typed page as kiosks scan it, or (``poor`` 0-1) a faded, blurred copy of a copy."""
    kind = "typed" if poor is None else "poor"
    job = {"kind": kind, "font": "Liberation Serif", "seed": seed, "dpi": DPI,
           "noise": 0.5 if poor is None else poor, "jitter": 0.0}
    return page_for(job)[0]


@pytest.mark.slow
@pytest.mark.parametrize("font", ["Kristi", "Humor Sans"])
def test_handwritten_page_is_flagged_with_reasons(font):
    gray = _hand(font, 31)
    verdict = is_handwritten(gray, recognize(gray, dpi=DPI), dpi=DPI)
    assert verdict.handwritten, verdict
    assert verdict.score >= 0.5 and verdict.reasons


@pytest.mark.slow
@pytest.mark.parametrize("poor", [None, 0.8])
def test_typed_page_is_not_flagged_even_a_poor_copy(poor):
    gray = _typed(32, poor)
    res = recognize(gray, dpi=DPI)
    if poor is not None:
        assert res.confidence < 80  # a copy Tesseract does read poorly (typed pages: ~95)
    verdict = is_handwritten(gray, res, dpi=DPI)
    assert not verdict.handwritten, (res.confidence, verdict)
    assert not is_handwritten(gray, None, dpi=DPI).handwritten  # nor from the strokes alone


def test_a_blank_page_is_not_judged_handwritten():
    verdict = is_handwritten(np.full((600, 400), 250, np.uint8), None, dpi=DPI)
    assert not verdict.handwritten and verdict.reasons == ("too_little_text",)


@pytest.mark.parametrize("bad, dpi", [(np.zeros((50, 50, 3), np.uint8), 150),
                                      (np.zeros((50, 50), np.float32), 150),
                                      (np.zeros((50, 50), np.uint8), 10), ("page", 150)])
def test_bad_input_is_a_clear_error(bad, dpi):
    with pytest.raises(ImageError):
        is_handwritten(bad, None, dpi=dpi)


def test_the_model_says_how_it_was_fitted():
    model = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    assert model["fitted_by"] == "python -m tests.bench.bench_handwriting --fit"
    for which in ("with_ocr", "image_only"):
        m = model[which]
        assert len(m["features"]) == len(m["coef"]) == len(m["mean"]) == len(m["scale"])


def test_vietnamese_marks_are_written_where_the_font_has_no_glyph():
    # DKG has no "ự" nor "đ": their marks are drawn as pen strokes on the base letter.
    from samplegen.handwriting import HAND_FONTS, _write_char

    def ink(ch: str) -> int:
        page = write_page("x", font="DKG", dpi=DPI, jitter=0).image.copy()
        page.paste(255, (0, 0, *page.size))
        _write_char(ImageDraw.Draw(page), ch, 50, 100, HAND_FONTS["DKG"], 40, 2, random.Random(0))
        return int((np.asarray(page) < 128).sum())

    assert ink("ự") > ink("u") * 1.15
    assert ink("đ") > ink("d") * 1.05
