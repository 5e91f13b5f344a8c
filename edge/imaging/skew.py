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
# Coarse sweep: the energy peak of a text page is > 1 degree wide at working scale.
_COARSE_STEP = 0.5
# Refinement passes: (half-width, step) in degrees around the best angle so far.
_REFINE = ((0.6, 0.1), (0.15, 0.03))
# Fewer text-like components than this and the estimate loses confidence proportionally.
_FULL_CONFIDENCE_COMPONENTS = 24

EnergyFn = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float], np.ndarray]
GatherFn = Callable[[np.ndarray, np.ndarray, float], tuple[np.ndarray, np.ndarray, np.ndarray]]
_DILATE = np.ones((3, 3), np.uint8)


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
    cx: np.ndarray  # component centres (same frame) and areas, for the coarse sweep
    cy: np.ndarray
    cw: np.ndarray


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
    """Estimate how far the text lines of ``gray`` are rotated counter-clockwise, within ±max_angle.

    Lines running vertically (a page turned sideways) count too: the angle is taken modulo 90.
    """
    check_gray(gray)
    sweep = analyse(reduce(gray), max_angle=max_angle)
    return SkewEstimate(angle_degrees=sweep.angle, confidence=sweep.confidence)


@dataclass(frozen=True)
class Sweep:
    """Skew of a reduced page, plus whether its lines run across (0) or down (90) the image."""

    angle: float  # counter-clockwise, within ±max_angle
    confidence: float  # 0..1
    quarter: int  # 0: lines run horizontally once straightened, 90: they run vertically
    quarter_confidence: float  # 0..1: how much stronger the winning line direction is
    components: int


_BLANK = Sweep(angle=0.0, confidence=0.0, quarter=0, quarter_confidence=0.0, components=0)


def _estimate(gray: np.ndarray, *, max_angle: float, energies: EnergyFn,
              gather: GatherFn = _kernels.gather_ink) -> SkewEstimate:
    sweep = analyse(reduce(gray), max_angle=max_angle, energies=energies, gather=gather)
    return SkewEstimate(angle_degrees=sweep.angle, confidence=sweep.confidence)


def analyse(small: np.ndarray, *, max_angle: float = 45.0, energies: EnergyFn | None = None,
            gather: GatherFn | None = None) -> Sweep:
    """Skew and line direction of a page already reduced by ``reduce``."""
    if not 0.0 <= max_angle <= 45.0:
        raise ImageError(f"max_angle must be within 0..45 degrees, got {max_angle}")
    energies = energies or _kernels.projection_energies
    ink = _text_ink(small, gather or _kernels.gather_ink)
    if ink is None:
        return _BLANK

    # Coarse sweep over both line directions (-45..135) on the component centres, which align
    # along text lines like the pixels do at a hundredth of the cost.
    steps = max(1, int(np.ceil(max_angle / _COARSE_STEP)))
    half = np.linspace(-max_angle, max_angle, 2 * steps + 1)
    grid = np.concatenate([half, half + 90.0])
    coarse = energies(ink.cx, ink.cy, ink.cw, grid, ink.extent)
    n = half.size
    best_h, best_v = int(np.argmax(coarse[:n])), n + int(np.argmax(coarse[n:]))
    top_h, top_v = float(coarse[best_h]), float(coarse[best_v])
    vertical = top_v > top_h
    best = float(grid[best_v if vertical else best_h])
    top = max(top_h, top_v)
    # A sharp peak over a flat sweep means lines of text. Pictures and scattered specks still
    # reach 1 - median/max of ~0.2 by chance; squaring pushes them well below text (~0.95).
    sharpness = (1.0 - float(np.median(coarse)) / top) ** 2 if top > 0 else 0.0

    # Narrow down on all ink pixels and 1-pixel bins, then fit a parabola through the top.
    centre = 90.0 if vertical else 0.0
    for span, step in _REFINE:
        lo = max(centre - max_angle, best - span)
        hi = min(centre + max_angle, best + span)
        grid = np.arange(lo, hi + step / 2, step)
        e = energies(ink.xs, ink.ys, ink.ws, grid, ink.extent)
        i = int(np.argmax(e))
        best = float(grid[i])
    if 0 < i < len(grid) - 1:
        denom = e[i - 1] - 2.0 * e[i] + e[i + 1]
        if denom < 0:
            best += step * 0.5 * float(e[i - 1] - e[i + 1]) / float(denom)
    angle = float(np.clip(best - centre, -max_angle, max_angle))

    support = min(1.0, ink.components / _FULL_CONFIDENCE_COMPONENTS)
    confidence = float(np.clip(sharpness * support, 0.0, 1.0))
    loser = min(top_h, top_v)
    quarter_conf = float(np.clip((1.0 - loser / top) * support, 0.0, 1.0)) if top > 0 else 0.0
    return Sweep(angle=round(angle, 4), confidence=round(confidence, 4),
                 quarter=90 if vertical else 0, quarter_confidence=round(quarter_conf, 4),
                 components=ink.components)


def reduce(gray: np.ndarray) -> np.ndarray:
    """Halve by pixel averaging until the long side is at most _WORK_SIDE (integer steps are fast)."""
    small = gray
    while max(small.shape) > _WORK_SIDE and min(small.shape) >= 4:
        h, w = small.shape[0] // 2, small.shape[1] // 2
        small = cv2.resize(small[: 2 * h, : 2 * w], (w, h), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(small)


def _text_ink(small: np.ndarray, gather: GatherFn) -> _Ink | None:
    """Weighted ink points of text-like components, or None on a blank page."""
    sh, sw = small.shape
    level, binary = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    hist = np.bincount(small.ravel(), minlength=256)
    otsu = int(level)  # pixels <= level are ink
    light, dark_hist = hist[otsu + 1 :], hist[: otsu + 1]
    if light.sum() == 0 or dark_hist.sum() == 0:
        return None
    # Paper is the typical light pixel; black lid corners may cover half the image.
    cum = np.cumsum(light)
    paper = float(otsu + 1 + np.searchsorted(cum, cum[-1] / 2.0))
    ink_mean = float(np.dot(np.arange(otsu + 1), dark_hist) / dark_hist.sum())
    if paper - ink_mean < _MIN_CONTRAST:
        return None

    n, labels, stats, centroids = cv2.connectedComponentsWithStats(binary, connectivity=8)
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
    mask = cv2.dilate(lut[labels], _DILATE)
    xs, ys, ws = gather(small, mask, paper)
    extent = float(np.hypot(sw, sh)) / 2.0 + 2.0
    cen = centroids[1:][keep]
    return _Ink(xs=xs, ys=ys, ws=ws, extent=extent, components=kept,
                cx=(cen[:, 0] - (sw - 1) / 2.0).astype(np.float32),
                cy=(cen[:, 1] - (sh - 1) / 2.0).astype(np.float32),
                cw=area[keep].astype(np.float32))
