"""Colour dropout: a red seal and a blue signature across the typed text stop costing its words."""
from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont

from edge.imaging import dropout
from edge.pipeline import Page, PipelineContext, process_page
from tests.edge.test_pipeline import FONT, LINES


def stamped_letter(*, ink=(20, 20, 20)) -> Image.Image:
    """A 200-dpi letter with a red seal over its ID line and a blue signature across the last lines."""
    img = Image.new("RGB", (1654, 2339), (250, 250, 246))
    d = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 28)
    for i, line in enumerate(LINES * 2):
        d.text((150, 170 + i * 63), line, font=font, fill=ink)
    # Seal and signature ink lies over the type (multiplied: black stays black under red).
    marks = Image.new("RGB", img.size, (255, 255, 255))
    m = ImageDraw.Draw(marks)
    red = (205, 30, 40)
    for r in (150, 140, 95):  # a round seal, with its ring of lettering
        m.ellipse((700 - r, 430 - r, 700 + r, 430 + r), outline=red, width=9)
    m.text((610, 405), "ỦY BAN", font=ImageFont.truetype(FONT, 40), fill=red)
    m.regular_polygon((700, 360, 30), 5, fill=red)
    xs = np.linspace(250, 1250, 60)
    m.line([(float(x), 930 + 60 * np.sin(x / 45)) for x in xs], fill=(30, 50, 190), width=8)
    return ImageChops.multiply(img, marks)


def png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG", dpi=(200, 200))
    return buf.getvalue()


def test_seal_and_signature_become_paper_and_black_type_stays():
    rgb = np.asarray(stamped_letter())
    luma = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    out, share = dropout(rgb, luma)
    assert 0.05 < share < 0.6
    seal_ring = (slice(430 - 152, 430 - 148), slice(695, 705))
    assert luma[seal_ring].min() < 110 and out[seal_ring].min() > 150
    black_type = out < 100
    assert np.count_nonzero(black_type) > 0.8 * np.count_nonzero((luma < 100) & ~(out > luma))


def test_a_letter_written_in_blue_is_not_erased():
    rgb = np.asarray(stamped_letter(ink=(30, 50, 190)))
    luma = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    out, share = dropout(rgb, luma)
    blue_type = (slice(170, 200), slice(150, 900))
    assert np.array_equal(out[blue_type], luma[blue_type])  # the letter's words are kept
    seal_ring = (slice(430 - 152, 430 - 148), slice(695, 705))
    assert out[seal_ring].min() > 150  # its red seal still goes


@pytest.mark.slow
def test_the_stamped_letter_reads_through_its_seal_and_keeps_its_colours():
    data = png(stamped_letter())
    res = process_page(data, source="seal.png", ctx=PipelineContext(dpi=200, pdf=False))
    plain = process_page(data, source="seal.png", ctx=PipelineContext(dpi=200, pdf=False,
                                                                     colour_dropout=False))
    assert isinstance(res, Page) and isinstance(plain, Page)
    # Read plain, Tesseract takes the seal's region for a picture and drops the lines under it.
    assert res.words > 1.5 * plain.words
    assert res.text.count("001190034567") == 2 > plain.text.count("001190034567")
    assert res.text.count("Hàng Bài gây ùn tắc giao thông") == 2
    archived = cv2.imdecode(np.frombuffer(res.archive, np.uint8), cv2.IMREAD_COLOR)
    b, g, r = (archived[:, :, k].astype(int) for k in range(3))
    assert np.count_nonzero((r - b > 80) & (r - g > 80)) > 1000  # the seal is still red there
