"""Borders, scanner-lid edges and punch holes; the box around the content; blank-page evidence."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from edge.imaging import _kernels
from edge.imaging.components import components

# Ink is this much darker than paper; bleed-through from the back stays well above it.
_INK_CONTRAST = 50
# A component touching the image edge and longer than this fraction of the side is a lid band.
_BAND_FRACTION = 0.03
# Punch holes: round, dark, 4..9 mm across, centred within 25 mm of an edge.
_HOLE_MM = (4.0, 9.0)
_HOLE_EDGE_MM = 25.0
# Content smaller than this (at the working scale) is dust or a speck.
_MIN_COMPONENT_PX = 3
# A page with less content ink than this, in percent of its area, is flagged blank
# (~3 mm^2 on A4: a single short handwritten word or the smallest stamp is far more).
BLANK_COVERAGE_PERCENT = 0.005


@dataclass(frozen=True)
class Layout:
    """What is on an upright working-scale page."""

    border: np.ndarray  # uint8 mask, 255 on lid bands, black fill and punch holes
    content_box: tuple[int, int, int, int] | None  # x0, y0, x1, y1 (exclusive), None when empty
    coverage_percent: float  # content ink area over page area
    paper: float


def paper_level(small: np.ndarray) -> float:
    """The paper's grey level: the brightest big mode (the median of the light half)."""
    hist = _kernels.histogram(np.ascontiguousarray(small)).astype(np.float64)
    cum = np.cumsum(hist)
    median = int(np.searchsorted(cum, cum[-1] / 2.0))
    light = hist[median:]
    lc = np.cumsum(light)
    return float(median + np.searchsorted(lc, lc[-1] / 2.0))


def analyse_layout(small: np.ndarray, *, scale_dpi: float) -> Layout:
    """Find borders, punch holes and the content box on an upright page reduced to ``scale_dpi``."""
    h, w = small.shape
    paper = paper_level(small)
    dark = (small < paper - _INK_CONTRAST).astype(np.uint8)
    n, labels, stats, cents = components(dark)
    x0, y0 = stats[1:, cv2.CC_STAT_LEFT], stats[1:, cv2.CC_STAT_TOP]
    bw, bh = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT]
    area = stats[1:, cv2.CC_STAT_AREA]
    edge = (x0 == 0) | (y0 == 0) | (x0 + bw >= w) | (y0 + bh >= h)
    band = edge & ((bw > _BAND_FRACTION * w) | (bh > _BAND_FRACTION * h))
    px_mm = scale_dpi / 25.4
    lo, hi = _HOLE_MM[0] * px_mm, _HOLE_MM[1] * px_mm
    cx, cy = cents[1:, 0], cents[1:, 1]
    near = np.minimum.reduce([cx, cy, w - cx, h - cy]) < _HOLE_EDGE_MM * px_mm
    round_ = (np.abs(bw - bh) <= 0.2 * np.maximum(bw, bh)) & (area > 0.6 * bw * bh)
    hole = near & round_ & (bw >= lo) & (bw <= hi) & ~edge
    border_ids = band | hole
    content = ~border_ids & ~edge & (area >= _MIN_COMPONENT_PX)

    lut = np.zeros(n, np.uint8)
    lut[1:][border_ids] = 255
    border = _kernels.select_labels(labels, lut) if border_ids.any() else np.zeros_like(small)
    if content.any():
        box = (int(x0[content].min()), int(y0[content].min()),
               int((x0 + bw)[content].max()), int((y0 + bh)[content].max()))
        coverage = 100.0 * float(area[content].sum()) / float(h * w)
    else:
        box, coverage = None, 0.0
    return Layout(border=border, content_box=box, coverage_percent=coverage, paper=paper)
