"""A page's resolution: read from the file where it is plausible, squared for faxes, else modelled."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from edge.imaging import declared_dpi, decode_scan, page_dpi
from edge.pipeline import Page, PipelineContext, process_page
from tests.edge.test_pipeline import page_png


def saved(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "TIFF"])
def test_declared_resolution_is_read_from_each_format(fmt):
    img = Image.new("L", (400, 300), 255)
    x, y = declared_dpi(saved(img, fmt, dpi=(150, 150)))
    assert x == pytest.approx(150, abs=0.5) and y == pytest.approx(150, abs=0.5)
    assert declared_dpi(saved(img, fmt)) in ((None, None), (72.0, 72.0))  # JFIF's default aspect


def test_plausible_declared_then_scanner_setting_then_a4():
    assert page_dpi(200, 1654, 2339) == 200  # A4 at 200 dpi, as it says
    assert page_dpi(72, 3024, 4032) == 345  # a phone's "72 dpi": a 1.4 m page, so taken as A4
    assert page_dpi(None, 2480, 3508, expected=300) == 300  # the scanner's setting
    assert page_dpi(None, 1240, 1754, expected=600) == 150  # not 600: that would be 75 mm
    assert page_dpi(None, 874, 1240, expected=300) == 300  # A6 slip at 300 dpi


def test_a_fax_gets_square_pixels():
    page = Image.open(io.BytesIO(page_png(0.0, dpi=200)))
    fax = page.resize((page.width * 204 // 200, page.height * 98 // 200))
    d = decode_scan(saved(fax, "TIFF", dpi=(204, 98)))
    gray, dpi = d.gray, d.dpi
    assert dpi == pytest.approx(204, abs=0.5)
    assert gray.shape[1] == fax.width and gray.shape[0] == pytest.approx(fax.height * 204 / 98, abs=2)


@pytest.mark.slow
def test_a_skewed_fax_is_straightened_and_read():
    page = Image.open(io.BytesIO(page_png(3.0, dpi=200)))
    fax = page.resize((page.width * 204 // 200, page.height * 98 // 200)).point(lambda v: 255 * (v > 140))
    res = process_page(saved(fax.convert("1"), "TIFF", compression="group4", dpi=(204, 98)),
                       source="fax.tif", ctx=PipelineContext(pdf=False))
    assert isinstance(res, Page) and res.imaging["dpi"] == 204
    assert res.skew_degrees == pytest.approx(3.0, abs=0.2)
    assert "Hàng Bài" in res.text  # a digit of the ID on 98-dpi rows may be misread


def test_a_part_of_a_page_without_a_resolution_is_measured_by_its_lines():
    """A photo of the top half of a letter is no A4 sheet: its line pitch gives the resolution."""
    import random

    import numpy as np

    from edge.imaging import text_dpi
    from samplegen import make_petition
    from samplegen.layout import draw_page, layout_pages

    pet = make_petition(random.Random(4))
    img = draw_page(layout_pages(pet.text, dpi=200, font="Liberation Serif", size_pt=13.0)[0])
    half = np.ascontiguousarray(np.asarray(img.convert("L"))[: img.height // 2])
    assert text_dpi(half) == pytest.approx(200, rel=0.15)
    h, w = half.shape
    assert page_dpi(None, w, h, text=lambda: text_dpi(half)) == pytest.approx(200, rel=0.15)
    whole = np.asarray(img.convert("L"))  # a whole sheet: the A4 model, which the text agrees with
    assert page_dpi(None, whole.shape[1], whole.shape[0], text=lambda: text_dpi(whole)) == 200
