"""Skew estimation: how far the text lines of a page are rotated, found from ink projection profiles."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from edge.exceptions import ImageError
from edge.imaging import _kernels

# Longest side of the working copy. A4 at 300 dpi shrinks 4x: body text stays ~10 px tall, enough
# for lines to separate, and lines several hundred pixels long still resolve a few 1/100 degree.
_WORK_SIDE = 1200
# Ink must be this much darker than paper; below it the page is treated as blank.
_MIN_CONTRAST = 48
# Coarse sweep: the energy peak of a text page is > 1 degree wide at working scale, and a few
# thousand ink points already show it.
_COARSE_STEP = 0.5
_COARSE_POINTS = 16000
# Refinement passes: (half-width, step) in degrees around the best angle so far.
_REFINE = ((0.6, 0.1), (0.15, 0.03))
# Fewer text-like components than this and the estimate loses confidence proportionally.
_FULL_CONFIDENCE_COMPONENTS = 24

EnergyFn = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float], np.ndarray]


@dataclass(frozen=True)
class SkewEstimate:
    """Rotation of the page content, counter-clockwise in degrees (PIL ``Image.rotate`` sense)."""

    angle_degrees: float
    confidence: float


@dataclass(frozen=True)
class _Ink:
    xs: np.ndarray  # float32 coordinates relative to the image centre, working scale
    ys: np.ndarray
    ws: np.ndarray  # darkness below paper level, float32
    extent: float  # bound on the radius of any point
    components: int  # text-like connected components kept


def check_gray(gray: object, *, name: str = "gray") -> np.ndarray:
    """Return ``gray`` if it is a usable uint8 HxW page, else raise ImageError."""
    if not isinstance(gray, np.ndarray):
        raise ImageError(f"{name} must be a numpy array, got {type(gray).__name__}")
    if gray.dtype != np.uint8 or gray.ndim != 2:
        raise ImageError(f"{name} must be uint8 HxW, got {gray.dtype} with shape {gray.shape}")
    if min(gray.shape) < 2:
        raise ImageError(f"{name} is too small: shape {gray.shape}")
    return gray


def estimate_skew(gray: np.ndarray, *, max_angle: float = 45.0) -> SkewEstimate:
    """Estimate how far the text lines of ``gray`` are rotated counter-clockwise, within ±max_angle."""
    check_gray(gray)
    return _estimate(gray, max_angle=max_angle, energies=_kernels.projection_energies)


def _estimate(gray: np.ndarray, *, max_angle: float, energies: EnergyFn) -> SkewEstimate:
    if not 0.0 <= max_angle <= 45.0:
        raise ImageError(f"max_angle must be within 0..45 degrees, got {max_angle}")
    ink = _text_ink(gray)
    if ink is None:
        return SkewEstimate(angle_degrees=0.0, confidence=0.0)

    # Coarse sweep of the whole range on a subsample of points and 2-pixel bins.
    stride = max(1, ink.xs.size // _COARSE_POINTS)
    cx, cy, cw = ink.xs[::stride] / 2.0, ink.ys[::stride] / 2.0, ink.ws[::stride]
    steps = max(1, int(np.ceil(max_angle / _COARSE_STEP)))
    grid = np.linspace(-max_angle, max_angle, 2 * steps + 1)
    coarse = energies(cx, cy, cw, grid, ink.extent / 2.0)
    best = float(grid[int(np.argmax(coarse))])
    # A sharp peak over a flat sweep means lines of text. Pictures and scattered specks still
    # reach 1 - median/max of ~0.2 by chance; squaring pushes them well below text (~0.95).
    top = float(coarse.max())
    sharpness = (1.0 - float(np.median(coarse)) / top) ** 2 if top > 0 else 0.0

    # Narrow down on all points and 1-pixel bins, then fit a parabola through the top.
    for span, step in _REFINE:
        lo, hi = max(-max_angle, best - span), min(max_angle, best + span)
        grid = np.arange(lo, hi + step / 2, step)
        e = energies(ink.xs, ink.ys, ink.ws, grid, ink.extent)
        i = int(np.argmax(e))
        best = float(grid[i])
    if 0 < i < len(grid) - 1:
        denom = e[i - 1] - 2.0 * e[i] + e[i + 1]
        if denom < 0:
            best += step * 0.5 * float(e[i - 1] - e[i + 1]) / float(denom)
    best = float(np.clip(best, -max_angle, max_angle))

    support = min(1.0, ink.components / _FULL_CONFIDENCE_COMPONENTS)
    confidence = float(np.clip(sharpness * support, 0.0, 1.0))
    return SkewEstimate(angle_degrees=round(best, 4), confidence=round(confidence, 4))


def _reduce(gray: np.ndarray) -> np.ndarray:
    """Halve by pixel averaging until the long side is at most _WORK_SIDE (integer steps are fast)."""
    small = gray
    while max(small.shape) > _WORK_SIDE and min(small.shape) >= 4:
        h, w = small.shape[0] // 2, small.shape[1] // 2
        small = cv2.resize(small[: 2 * h, : 2 * w], (w, h), interpolation=cv2.INTER_AREA)
    return small


def _text_ink(gray: np.ndarray) -> _Ink | None:
    """Weighted ink points of text-like components, or None on a blank page."""
    small = _reduce(gray)
    sh, sw = small.shape

    _, binary = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    dark = binary > 0
    if dark.all() or not dark.any():
        return None
    # Paper is the typical light pixel; black lid corners may cover half the image.
    paper = float(np.median(small[~dark]))
    if paper - float(small[dark].mean()) < _MIN_CONTRAST:
        return None

    n, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    x0, y0 = stats[1:, cv2.CC_STAT_LEFT], stats[1:, cv2.CC_STAT_TOP]
    bw, bh = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT]
    area = stats[1:, cv2.CC_STAT_AREA]
    # Scanner-lid borders, dark margins and black rotation fill all touch the image edge.
    inner = (x0 > 0) & (y0 > 0) & (x0 + bw < sw) & (y0 + bh < sh)
    keep = inner & (area >= 2) & (area <= 0.01 * sh * sw)
    if not keep.any():
        return None
    char_h = float(np.median(np.minimum(bw, bh)[keep]))
    length = np.maximum(bw, bh)
    # Long *and* thick is a shadow or a dark band; long and thin is a ruled line, which helps.
    band = (length > 8 * char_h) & (area > 0.5 * char_h * length)
    keep &= ~band
    kept = int(keep.sum())
    if kept == 0:
        return None

    lut = np.zeros(n, dtype=np.uint8)
    lut[1:][keep] = 255
    mask = cv2.dilate(lut[labels], np.ones((3, 3), np.uint8))
    weight = np.clip(paper - small.astype(np.float32), 0.0, None)
    weight[mask == 0] = 0.0
    ys, xs = np.nonzero(weight)
    ws = weight[ys, xs]
    # Spread each pixel over its square (a fixed low-discrepancy jitter): otherwise, near 0 and 45
    # degrees, whole pixel rows land on the same sub-bin phase and the profile energy aliases.
    k = np.arange(xs.size, dtype=np.float64)
    xs = (xs - (sw - 1) / 2.0 + np.modf(k * 0.7548776662466927)[0] - 0.5).astype(np.float32)
    ys = (ys - (sh - 1) / 2.0 + np.modf(k * 0.5698402909980532)[0] - 0.5).astype(np.float32)
    extent = float(np.hypot(sw, sh)) / 2.0 + 2.0
    return _Ink(xs=xs, ys=ys, ws=ws.astype(np.float32), extent=extent, components=kept)
