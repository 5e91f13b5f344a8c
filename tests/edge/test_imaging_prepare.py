"""The imaging stage as the pipeline calls it: prepare() on labelled scans, new kernels vs references."""

from __future__ import annotations

import dataclasses
import json
from functools import cache

import cv2
import numpy as np
import pytest

from edge.exceptions import ImageError
from edge.imaging import (
    ImagingRecord,
    Prepared,
    _kernels,
    _reference,
    binarize,
    binarize_flat,
    prepare,
)
from edge.imaging.binarize import otsu_level, paper_level
from samplegen.pageset import build_ocr_twins, build_pageset


@cache
def pageset() -> dict[str, object]:
    pages = build_pageset(text_pages=3, rotated=3, blanks=2, near_blanks=2, straight_twins=0,
                          seed=5, dpi=150)
    return {p.name: p for p in pages}


def names(kind: str) -> list[str]:
    return [n for n, p in pageset().items() if p.kind == kind]


@pytest.mark.parametrize("name", [f"text-{i:03d}" for i in range(6)])
def test_text_pages_come_out_straight_and_upright(name: str) -> None:
    page = pageset()[name]
    out = prepare(page.image, dpi=150)
    assert isinstance(out, Prepared) and isinstance(out.record, ImagingRecord)
    rec = out.record
    assert abs(rec.skew_degrees - page.skew_degrees) <= 0.1
    assert rec.deskewed and rec.skew_confidence > 0.5
    assert not rec.blank
    assert out.archive.dtype == np.uint8 and out.ocr.dtype == np.uint8
    assert out.archive.shape == out.ocr.shape
    assert set(np.unique(out.ocr)) <= {0, 255}
    x0, y0, x1, y1 = rec.crop_box
    assert (y1 - y0, x1 - x0) == out.archive.shape
    json.dumps(dataclasses.asdict(rec))  # the record travels as JSON


def test_orientation_is_found_on_turned_pages() -> None:
    # The cheap cues alone: prepare() never runs OCR (edge.orientation reads a page other ways up later).
    pages = [p for p in pageset().values() if p.kind == "text"]
    right = sum(prepare(p.image, dpi=150).record.orientation == p.orientation for p in pages)
    assert right == len(pages)


def test_blank_backs_are_flagged_and_notes_or_stamps_are_not() -> None:
    for name, page in pageset().items():
        rec = prepare(page.image, dpi=150).record
        assert rec.blank == page.blank, (name, rec.blank_score)


def test_lid_bands_are_painted_out_of_the_archive() -> None:
    gray = np.full((1754, 1240), 245, np.uint8)
    gray[:, :40] = 30  # lid band along the left edge
    gray[800:830, 300:900] = 20  # some content
    out = prepare(gray, dpi=150)
    assert out.archive.min() <= 30  # the content survives
    assert out.archive[:, :5].min() > 200  # the band does not
    assert not out.record.blank


@pytest.mark.parametrize(
    "bad",
    [np.zeros((1, 1), np.uint8), np.zeros((10, 3000), np.uint8), np.zeros((9, 9), np.float32),
     "not an image"],
)
def test_unusable_input_gives_a_clear_error(bad: object) -> None:
    with pytest.raises(ImageError) as info:
        prepare(bad)  # type: ignore[arg-type]
    assert info.value.code == "image_invalid" and info.value.message_vi


def test_huge_image_is_refused_before_work() -> None:
    huge = np.lib.stride_tricks.as_strided(np.zeros(1, np.uint8), (20000, 20000), (0, 0))
    with pytest.raises(ImageError, match="too large"):
        prepare(huge)


@pytest.mark.parametrize("shape", [(97, 131), (96, 130), (3, 2), (1, 5)])
def test_sauvola_kernel_agrees_with_reference(shape: tuple[int, int]) -> None:
    rng = np.random.default_rng(2)
    gray = np.clip(rng.normal(200, 40, shape), 0, 255).astype(np.uint8)
    gray[40:50, 10:120] = 30
    for radius in (1, 3, 7, 80):
        fast = _kernels.sauvola(gray, radius, 0.2, 128.0)
        slow = _reference.sauvola(gray, radius, 0.2, 128.0)
        np.testing.assert_array_equal(fast, slow)


def per_pixel_sauvola(gray: np.ndarray, radius: int, k: float = 0.2) -> np.ndarray:
    """Textbook Sauvola: a (2r+1)^2 window centred on every pixel, from integral images."""
    g = gray.astype(np.float64)
    h, w = g.shape
    ii = np.pad(g.cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    iq = np.pad((g * g).cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    y0, y1 = np.clip(np.arange(h) - radius, 0, h), np.clip(np.arange(h) + radius + 1, 0, h)
    x0, x1 = np.clip(np.arange(w) - radius, 0, w), np.clip(np.arange(w) + radius + 1, 0, w)

    def box(t: np.ndarray) -> np.ndarray:
        return t[y1][:, x1] - t[y0][:, x1] - t[y1][:, x0] + t[y0][:, x0]

    n = np.outer(y1 - y0, x1 - x0)
    m = box(ii) / n
    sd = np.sqrt(np.maximum(box(iq) / n - m * m, 0.0))
    return np.where(g <= m * (1.0 + k * (sd / 128.0 - 1.0)), 0, 255).astype(np.uint8)


def test_block_sauvola_means_the_same_as_per_pixel_sauvola() -> None:
    # The kernel takes one threshold per 2x2 block; on a real scan that moves a fraction of a
    # percent of the edge pixels and nothing a reader (or Tesseract) would see.
    page = pageset()["text-000"]
    gray = page.image[200:900, 100:800]
    ours = binarize(gray, dpi=150)
    ref = per_pixel_sauvola(gray, radius=round(2.6 * 150 / 25.4 / 2))
    ink = int((ref == 0).sum())
    assert ink > 1000
    assert int((ours != ref).sum()) < 0.02 * ink


def test_component_stats_kernel_agrees_with_reference_and_opencv() -> None:
    rng = np.random.default_rng(6)
    binary = ((rng.random((120, 90)) < 0.3) * 255).astype(np.uint8)
    binary[50:60, :] = 255  # one component touching both sides
    n, labels, cv_stats, cv_cents = cv2.connectedComponentsWithStats(binary, connectivity=8)
    fast = _kernels.component_stats(labels, n)
    slow = _reference.component_stats(labels, n)
    np.testing.assert_array_equal(fast[0], slow[0])
    np.testing.assert_allclose(fast[1], slow[1], rtol=1e-12)
    np.testing.assert_array_equal(fast[0][1:], cv_stats[1:])
    np.testing.assert_allclose(fast[1][1:], cv_cents[1:], rtol=1e-9)


def test_select_labels_kernel_agrees_with_reference() -> None:
    rng = np.random.default_rng(8)
    labels = rng.integers(0, 40, (50, 70)).astype(np.int32)
    keep = (rng.random(40) < 0.5).astype(np.uint8) * 255
    keep[0] = 0
    np.testing.assert_array_equal(_kernels.select_labels(labels, keep),
                                  _reference.select_labels(labels, keep))


def test_binarize_handles_uneven_lighting() -> None:
    # Paper fading from 250 to 140 across the page with text-like strokes of contrast 90.
    ramp = np.linspace(250, 140, 600, dtype=np.float32)[None, :].repeat(400, 0)
    ink = ramp.copy()
    ink[100:104, 20:580] -= 90
    ink[300:304, 20:580] -= 90
    out = binarize(np.clip(ink, 0, 255).astype(np.uint8), dpi=150)
    assert (out[100:104, 30:570] == 0).mean() > 0.95
    assert (out[150:250, :] == 255).mean() > 0.99  # shaded paper stays white


def test_flat_binarization_handles_uneven_lighting() -> None:
    # A single global threshold loses the strokes at the bright end or floods the dark end.
    ramp = np.linspace(250, 140, 600, dtype=np.float32)[None, :].repeat(400, 0)
    ink = ramp.copy()
    ink[100:104, 20:580] -= 90
    ink[300:304, 20:580] -= 90
    gray = np.clip(ink, 0, 255).astype(np.uint8)
    out = binarize_flat(gray, dpi=150)
    assert (out[100:104, 30:570] == 0).mean() > 0.95
    assert (out[300:304, 30:570] == 0).mean() > 0.95
    assert (out[150:250, :] == 255).mean() > 0.99
    level = paper_level(gray, dpi=150)
    # A max filter runs ahead of a gradient by half its window: ~9 grey levels on this steep ramp.
    assert level.shape == gray.shape and abs(int(level[200, 300]) - int(ramp[200, 300])) <= 12


def test_otsu_level_agrees_with_opencv() -> None:
    rng = np.random.default_rng(3)
    img = np.concatenate([rng.normal(235, 8, 5000), rng.normal(60, 20, 900)])
    img = np.clip(img, 0, 255).astype(np.uint8).reshape(59, 100)
    cv_level, _ = cv2.threshold(img, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    assert abs(otsu_level(_kernels.histogram(img)) - int(cv_level)) <= 1
    with pytest.raises(ImageError):
        otsu_level(np.zeros(10))


def test_ocr_input_keeps_the_text_and_drops_the_paper() -> None:
    # A skewed scan with lid edges and noise: ink stays ink, paper (even where shaded) goes white.
    page = next(build_ocr_twins(count=1, seed=3, dpi=150))
    out = prepare(page.image, dpi=150)
    straight = binarize_flat(page.straight, dpi=150)
    assert set(np.unique(out.ocr)) <= {0, 255}
    ink = (out.ocr == 0).mean()
    assert 0.5 * (straight == 0).mean() < ink < 2.0 * (straight == 0).mean()
    assert abs(out.record.skew_degrees - page.skew_degrees) <= 0.1


@pytest.mark.parametrize("min_weight", [0.0, 20.0])
def test_gather_kernel_agrees_with_reference(min_weight: float) -> None:
    rng = np.random.default_rng(4)
    small = rng.integers(0, 256, (60, 80)).astype(np.uint8)
    mask = (rng.random((60, 80)) < 0.4).astype(np.uint8) * 255
    fast = _kernels.gather_ink(small, mask, 180.0, min_weight)
    slow = _reference.gather_ink(small, mask, 180.0, min_weight)
    assert fast[0].size == slow[0].size > 0
    for a, b in zip(fast, slow, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-5)


def test_histogram_kernel_agrees_with_reference() -> None:
    rng = np.random.default_rng(9)
    for shape in ((37, 53), (1, 3), (64, 64)):
        img = rng.integers(0, 256, shape).astype(np.uint8)
        np.testing.assert_array_equal(_kernels.histogram(img), _reference.histogram(img))
