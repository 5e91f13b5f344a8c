"""Skew estimation: how far the text lines of a page are rotated, found from ink projection profiles."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from edge.exceptions import ImageError
from edge.imaging import _kernels
from edge.imaging.components import components

# Longest side of the working copy. A4 at 300 dpi shrinks 4x: body text stays ~10 px tall, enough
# for lines to separate, and lines several hundred pixels long still resolve a few 1/100 degree.
_WORK_SIDE = 1200
# Ink must be this much darker than paper; below it the page is treated as blank.
_MIN_CONTRAST = 48
# Coarse sweep step on the component centres; 0.5 was no more accurate on the benchmark pages
# (the centre refinement below spans more than a step either side) and cost twice as much.
_COARSE_STEP = 1.0
# Refinement passes: (points, half-width, step in degrees) around the best angle so far. The
# centres (~1/50 of the pixels) narrow the peak to 0.1 degrees; one pass over all ink pixels
# and a parabola through its top then give ~0.01 degrees.
_REFINE = (("centres", 1.2, 0.1), ("pixels", 0.15, 0.05))
# A refinement peak on the window's edge moves the window this many times at most.
_MAX_WINDOW_MOVES = 3
# Pixels this close to paper (noise, faint halo) add little to the profile but cost the same.
_MIN_WEIGHT = 8.0
# Fewer text-like components than this and the estimate loses confidence proportionally.
_FULL_CONFIDENCE_COMPONENTS = 24

EnergyFn = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float], np.ndarray]
GatherFn = Callable[[np.ndarray, np.ndarray, float, float],
                    tuple[np.ndarray, np.ndarray, np.ndarray]]
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

    # Narrow down, first on the centres again, then on all ink pixels (1-pixel bins), and fit a
    # parabola through the top. A peak on the edge of a window moves the window (bounded).
    centre = 90.0 if vertical else 0.0
    # Over the full ±45 the two line directions meet at 45: let the windows cross that seam.
    wrap = max_angle >= 45.0
    lo_lim, hi_lim = (-np.inf, np.inf) if wrap else (centre - max_angle, centre + max_angle)
    for source, span, step in _REFINE:
        pts = (ink.cx, ink.cy, ink.cw) if source == "centres" else (ink.xs, ink.ys, ink.ws)
        for _ in range(_MAX_WINDOW_MOVES + 1):
            lo, hi = max(lo_lim, best - span), min(hi_lim, best + span)
            grid = np.arange(lo, hi + step / 2, step)
            e = energies(*pts, grid, ink.extent)
            i = int(np.argmax(e))
            best = float(grid[i])
            if 0 < i < len(grid) - 1 or not lo_lim + step <= best <= hi_lim - step:
                break
    if 0 < i < len(grid) - 1:
        denom = e[i - 1] - 2.0 * e[i] + e[i + 1]
        if denom < 0:
            best += step * 0.5 * float(e[i - 1] - e[i + 1]) / float(denom)
    angle = best - centre
    if abs(angle) > 45.0:  # crossed the seam: the lines run the other way
        vertical = not vertical
        angle -= 90.0 * np.sign(angle)
    angle = float(np.clip(angle, -max_angle, max_angle))

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
    hist = _kernels.histogram(small)
    otsu = otsu_level(hist)  # pixels <= otsu are ink
    _, binary = cv2.threshold(small, otsu, 255, cv2.THRESH_BINARY_INV)
    light, dark_hist = hist[otsu + 1 :], hist[: otsu + 1]
    if light.sum() == 0 or dark_hist.sum() == 0:
        return None
    # Paper is the typical light pixel; black lid corners may cover half the image.
    cum = np.cumsum(light)
    paper = float(otsu + 1 + np.searchsorted(cum, cum[-1] / 2.0))
    ink_mean = float(np.dot(np.arange(otsu + 1), dark_hist) / dark_hist.sum())
    if paper - ink_mean < _MIN_CONTRAST:
        return None

    n, labels, stats, centroids = components(binary)
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
    mask = cv2.dilate(_kernels.select_labels(labels, lut), _DILATE)
    xs, ys, ws = gather(small, mask, paper, _MIN_WEIGHT)
    extent = float(np.hypot(sw, sh)) / 2.0 + 2.0
    cen = centroids[1:][keep]
    return _Ink(xs=xs, ys=ys, ws=ws, extent=extent, components=kept,
                cx=(cen[:, 0] - (sw - 1) / 2.0).astype(np.float32),
                cy=(cen[:, 1] - (sh - 1) / 2.0).astype(np.float32),
                cw=area[keep].astype(np.float32))


def otsu_level(hist: np.ndarray) -> int:
    """Otsu's threshold from a 256-bin histogram: ink is <= the level (as cv2's THRESH_OTSU)."""
    if hist.shape != (256,):
        raise ImageError(f"Otsu needs a 256-bin histogram, got shape {hist.shape}")
    p = hist.astype(np.float64) / max(1.0, float(hist.sum()))
    omega = np.cumsum(p)
    mu = np.cumsum(p * np.arange(256))
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mu[-1] * omega - mu) ** 2 / (omega * (1.0 - omega))
    between[~np.isfinite(between)] = -1.0
    return int(np.argmax(between))
