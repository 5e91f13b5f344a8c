"""The up/down cue on generated petition scans, as prepare() sees them (deskewed working copy)."""

from __future__ import annotations

import random
from functools import cache

import numpy as np
import pytest
from PIL import Image, ImageDraw

from edge.exceptions import ImageError
from edge.imaging import orientation as orient
from edge.imaging.borders import paper_level
from edge.imaging.deskew import rotate
from edge.imaging.skew import analyse, reduce
from samplegen.layout import FONTS
from samplegen.pageset import _draw_text_page, _stamp
from samplegen.scan import draw_params, simulate_scan

DPI = 150


def working_copy(gray: np.ndarray) -> tuple[np.ndarray, float, int]:
    """The image prepare() hands to the cue: reduced, deskewed, lines turned across; paper; sweep turn."""
    small = reduce(gray)
    sweep = analyse(small, max_angle=45.0)
    straight = rotate(small, -sweep.angle) if sweep.confidence >= 0.3 else small
    turned = np.ascontiguousarray(np.rot90(straight, -sweep.quarter // 90))
    return turned, paper_level(straight), sweep.quarter


@cache
def scans() -> list[tuple[str, int, np.ndarray]]:
    """Petitions in every font, upright, upside down and sideways, scanned with noise and skew."""
    rng = random.Random(11)
    out = []
    for i, quarter in enumerate((0, 180, 0, 180, 0, 180, 0, 180, 90, 270)):
        font = sorted(FONTS)[i % len(FONTS)]
        img, _, _ = _draw_text_page(rng, font, DPI)
        if quarter:
            img = img.rotate(quarter, expand=True)
        params = draw_params(random.Random(i), noise=0.8, skew_degrees=rng.uniform(-30, 30),
                             lid_edge=i % 3 == 0, jpeg=i % 2 == 0)
        out.append((f"{font} {quarter}", quarter, np.asarray(simulate_scan(img, params, seed=i, dpi=DPI))))
    return out


@pytest.mark.parametrize("index", range(10))
def test_cue_is_sure_and_right_on_scanned_petitions(index: int) -> None:
    name, quarter, gray = scans()[index]
    turned, paper, base = working_copy(gray)
    assert (quarter - base) % 180 == 0, name  # the sweep finds the line direction
    cue, confidence = orient.updown(turned, paper)
    want_upright = (quarter - base) % 360 == 0
    assert orient.cue_is_sure(cue) and confidence == 1.0, (name, cue)
    assert (cue > 0) == want_upright, (name, cue)
    # Well clear of the threshold: the margin is what makes skipping the OCR second opinion safe.
    assert abs(cue) >= 1.5 * orient._CUE_SURE, (name, cue)


def test_turning_the_page_over_flips_the_cue() -> None:
    _, _, gray = scans()[0]
    turned, paper, _ = working_copy(gray)
    up, down = orient.updown_cue(turned, paper), orient.updown_cue(np.rot90(turned, 2).copy(), paper)
    assert up > 0 > down
    assert abs(up + down) < 0.05


def test_a_dark_lid_wedge_across_the_text_does_not_flip_the_cue() -> None:
    _, _, gray = scans()[2]
    turned, paper, _ = working_copy(gray)
    img = Image.fromarray(turned)
    h, w = turned.shape
    ImageDraw.Draw(img).polygon([(0, h // 5), (w // 2, 0), (0, 0)], fill=35)
    ImageDraw.Draw(img).polygon([(w, h // 2), (w // 2, h), (w, h)], fill=35)
    cue = orient.updown_cue(np.asarray(img), paper)
    assert orient.cue_is_sure(cue) and cue > 0


def test_pages_without_text_lines_are_unsure() -> None:
    rng = np.random.default_rng(0)
    noise = rng.normal(230, 12, (877, 620)).clip(0, 255).astype(np.uint8)
    white = np.full((877, 620), 250, np.uint8)
    stamp = Image.new("L", (1240, 1754), 250)
    _stamp(ImageDraw.Draw(stamp), random.Random(1), 620, 800, DPI * 0.6, DPI)
    stamp_small = reduce(np.asarray(stamp))
    for img, paper in ((noise, 230.0), (white, 250.0), (stamp_small, 250.0),
                       (np.full((8, 8), 0, np.uint8), 250.0)):
        cue = orient.updown_cue(img, paper)
        assert not orient.cue_is_sure(cue), cue
        assert -1.0 <= cue <= 1.0


@pytest.mark.parametrize("bad", [np.zeros((50, 50), np.float32), np.zeros((50, 50, 3), np.uint8), [[1, 2]]])
def test_bad_images_raise_image_error(bad: object) -> None:
    with pytest.raises(ImageError):
        orient.updown_cue(bad, 250.0)  # type: ignore[arg-type]


def test_confidence_follows_the_threshold() -> None:
    assert orient.cue_confidence(0.0) == 0.0
    assert orient.cue_confidence(-2 * orient._CUE_SURE) == 1.0
    assert orient.cue_is_sure(orient._CUE_SURE) and not orient.cue_is_sure(orient._CUE_SURE / 2)


def test_a_page_read_upside_down_is_read_again_the_right_way_up():
    """Where the cheap cue is unsure and the first reading is poor, OCR's own confidence decides."""
    import io

    from PIL import Image

    from edge import ocr
    from edge import orientation as decide
    from tests.edge.test_pipeline import page_png

    page = np.asarray(Image.open(io.BytesIO(page_png(180.0, dpi=200))).convert("L"))

    def read(img):
        return ocr.recognize(img, dpi=200, invert=False)

    first = read(page)
    assert decide.reads_poorly(first, 60.0)
    assert decide.turns_to_try(0.3, page.shape[1], page.shape[0]) == (180,)
    got = decide.read_upright(page, first, turns=(180,), read=read)
    assert got.turn == 180 and "001190034567" in got.result.text
    assert got.result.confidence > first.confidence + decide.BAND_MARGIN
    # Upright already: nothing beats the first reading, and it is kept.
    upright = decide.turned(page, 180)
    kept = decide.read_upright(upright, read(upright), turns=(180,), read=read)
    assert kept.turn == 0 and kept.passes == 1  # one band read, no full page


def test_a_sure_cue_or_a_sideways_shape_decides_what_is_tried():
    from edge import orientation as decide

    assert decide.turns_to_try(1.0, 100, 200) == ()
    assert decide.turns_to_try(0.2, 300, 200) == (180, 90, 270)
