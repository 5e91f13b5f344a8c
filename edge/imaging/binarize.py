"""Binarization for OCR: divide by the local paper level, then one Otsu threshold; Sauvola too.

Measured with Tesseract vie on 48 skewed/straight petition twins (two seeds of
tests.bench.bench_imaging): Sauvola (windows 30-50 px, k 0.1-0.34, per pixel or per 2x2 block)
turns the mid-grey of stamps, photos and ballpoint notes into ink that upsets Tesseract's layout
analysis, and read 0.1-0.3 points of CER worse than one global Otsu threshold. A global
threshold alone fails on uneven lighting, so the page is first divided by its paper level.
"""

from __future__ import annotations

import cv2
import numpy as np

from edge.exceptions import ImageError
from edge.imaging import _kernels
from edge.imaging.skew import check_gray, otsu_level

__all__ = ["binarize", "binarize_flat", "otsu_level", "paper_level"]

# Window of ~2.6 mm: a few strokes wide, so the local mean follows shading but not letters.
_WINDOW_MM = 2.6
# k = 0.2 keeps thin diacritics (Vietnamese tone marks) that k = 0.34+ starts to break up.
_K = 0.2
_DYNAMIC = 128.0
# Paper level: max over ~16 mm, wider than any stroke or stamp (4-8 mm windows read 0.3-0.5
# points worse: dense text and stamps pulled the level down), narrower than shading gradients;
# computed at 1/8 scale where it costs ~1 ms instead of ~30 ms at full resolution.
_PAPER_WINDOW_MM = 16.0
_PAPER_SCALE = 8


def _check_dpi(dpi: int) -> None:
    if not 50 <= dpi <= 2400:
        raise ImageError(f"dpi must be within 50..2400, got {dpi}")


def binarize(gray: np.ndarray, *, dpi: int = 300, k: float = _K) -> np.ndarray:
    """Sauvola-binarize a uint8 page: ink 0, paper 255."""
    check_gray(gray)
    _check_dpi(dpi)
    if not 0.0 < k < 1.0:
        raise ImageError(f"Sauvola k must be within (0, 1), got {k}")
    # The kernel thresholds 2x2 blocks; r blocks either side give a window of 2 (2r + 1) px.
    radius = max(1, round((_WINDOW_MM * dpi / 25.4 / 2 - 1) / 2))
    return _kernels.sauvola(np.ascontiguousarray(gray), radius, float(k), _DYNAMIC)


def paper_level(gray: np.ndarray, *, dpi: int = 300) -> np.ndarray:
    """The local paper brightness under every pixel (uint8, same shape): a smoothed coarse max."""
    check_gray(gray)
    _check_dpi(dpi)
    h, w = gray.shape
    f = _PAPER_SCALE if min(h, w) >= 4 * _PAPER_SCALE else 1
    # Whole blocks only: cv2's INTER_AREA is ~6x faster for an integer factor; the last few
    # rows and columns take the level of their neighbours through the final resize.
    small = gray[: max(f, h // f * f), : max(f, w // f * f)]
    if f > 1:
        small = cv2.resize(small, (small.shape[1] // f, small.shape[0] // f),
                           interpolation=cv2.INTER_AREA)
    r = max(1, round(_PAPER_WINDOW_MM * dpi / 25.4 / f / 2))
    level = cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_RECT, (2 * r + 1, 2 * r + 1)))
    level = cv2.blur(level, (2 * r + 1, 2 * r + 1))
    return cv2.resize(level, (w, h), interpolation=cv2.INTER_LINEAR)


def binarize_flat(gray: np.ndarray, *, dpi: int = 300) -> np.ndarray:
    """Divide a uint8 page by its paper level, then one Otsu threshold: ink 0, paper 255."""
    # Every step writes into the level's buffer: one page-sized array besides the input, not
    # four (two pages of this are alive at once on a two-core appliance).
    flat = paper_level(gray, dpi=dpi)
    np.maximum(flat, 1, out=flat)
    cv2.divide(np.ascontiguousarray(gray), flat, dst=flat, scale=255)
    t = otsu_level(_kernels.histogram(flat))
    cv2.threshold(flat, t, 255, cv2.THRESH_BINARY, dst=flat)
    return flat
