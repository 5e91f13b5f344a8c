"""Colour dropout: a red seal and a blue signature across the text of a confirmed copy are taken
out before OCR, the black print under them stays, and Tesseract reads the words under the seal."""
from __future__ import annotations

import io
import random

import numpy as np
import pytest
from PIL import Image

from edge.exceptions import ImageError
from edge.imaging import decode_scan
from edge.imaging.colour import drop_colour
from edge.ocr import recognize
from samplegen import layout_pages, make_petition
from samplegen.layout import draw_page
from samplegen.stamps import confirm_copy

DPI = 200


def _page(seed: int):
    pet = make_petition(random.Random(seed))
    return draw_page(layout_pages(pet.text, dpi=DPI)[0])


def _words(text: str) -> set[str]:
    return {w.strip(".,:;()").lower() for w in text.split() if len(w.strip(".,:;()")) >= 3}


@pytest.mark.slow
def test_words_under_the_seal_are_read_after_dropout():
    page = _page(4)
    copy = confirm_copy(page, seed=4, dpi=DPI, jpeg=True)
    plain = confirm_copy(page, seed=4, dpi=DPI, seal=False, signature=False, jpeg=True)
    x0, y0, x1, y1 = copy.seal_box
    band = slice(max(0, y0 - 40), y1 + 40)  # the lines the seal crosses, and one either side

    dropped = drop_colour(copy.rgb)
    clean = drop_colour(plain.rgb).gray[band]
    truth = recognize(clean, dpi=DPI)
    under = {w.text.strip(".,:;()").lower() for w in truth.boxes
             if w.left < x1 and w.left + w.width > x0 and len(w.text.strip(".,:;()")) >= 3}
    assert len(under) >= 8  # the seal does sit across text

    read = _words(recognize(dropped.gray[band], dpi=DPI).text)
    luma = (copy.rgb[band].astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32))
    without = _words(recognize(np.clip(luma, 0, 255).astype(np.uint8), dpi=DPI).text)
    found, found_without = len(under & read) / len(under), len(under & without) / len(under)
    assert found >= 0.9, (found, sorted(under - read))
    assert found >= found_without


def test_seal_ink_is_gone_and_black_print_stays():
    page = _page(7)
    copy = confirm_copy(page, seed=7, dpi=DPI)
    plain = confirm_copy(page, seed=7, dpi=DPI, seal=False, signature=False)
    res = drop_colour(copy.rgb)
    assert 0.002 < res.red_share < 0.05 and 0.001 < res.blue_share < 0.05
    ref = drop_colour(plain.rgb).gray.astype(np.int16)
    for box in (copy.seal_box, copy.signature_box):
        x0, y0, x1, y1 = box
        got = res.gray[y0:y1, x0:x1].astype(np.int16)
        want = ref[y0:y1, x0:x1]
        paper = want > 200
        ink = want < 100
        # Paper under the seal comes back as paper, print under it stays print.
        assert np.mean(got[paper] > 170) > 0.98
        assert np.mean(got[ink] < 110) > 0.97


def test_a_page_without_colour_is_left_as_it_is():
    page = np.asarray(_page(2))
    rgb = np.repeat(page[:, :, None], 3, axis=2)
    res = drop_colour(rgb)
    assert res.removed_share == 0.0
    assert np.array_equal(res.gray, page)


@pytest.mark.parametrize("bad", [np.zeros((10, 10), np.uint8), np.zeros((10, 10, 3), np.float32),
                                 np.zeros((1, 10, 3), np.uint8), "page"])
def test_bad_input_is_a_clear_error(bad):
    with pytest.raises(ImageError):
        drop_colour(bad)


def test_decoding_gives_colour_scans_and_skips_gray_ones():
    copy = confirm_copy(_page(3), seed=3, dpi=DPI)
    buf = io.BytesIO()
    Image.fromarray(copy.rgb, "RGB").save(buf, format="PNG")
    rgb = decode_scan(buf.getvalue(), colour=True).rgb
    assert rgb is not None and np.array_equal(rgb, copy.rgb)
    buf = io.BytesIO()
    Image.fromarray(copy.rgb[:, :, 0], "L").save(buf, format="PNG")
    assert decode_scan(buf.getvalue(), colour=True).rgb is None
    with pytest.raises(ImageError):
        decode_scan(b"not an image", colour=True)
