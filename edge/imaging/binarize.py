"""Binarization for OCR: Sauvola's local threshold, robust to uneven lighting and yellowed paper."""

from __future__ import annotations

import numpy as np

from edge.exceptions import ImageError
from edge.imaging import _kernels
from edge.imaging.skew import check_gray

# Window of ~2.6 mm: a few strokes wide, so the local mean follows shading but not letters.
_WINDOW_MM = 2.6
# k = 0.2 keeps thin diacritics (Vietnamese tone marks) that k = 0.34+ starts to break up.
_K = 0.2
_DYNAMIC = 128.0


def binarize(gray: np.ndarray, *, dpi: int = 300, k: float = _K) -> np.ndarray:
    """Sauvola-binarize a uint8 page: ink 0, paper 255."""
    check_gray(gray)
    if not 50 <= dpi <= 2400:
        raise ImageError(f"dpi must be within 50..2400, got {dpi}")
    if not 0.0 < k < 1.0:
        raise ImageError(f"Sauvola k must be within (0, 1), got {k}")
    # The kernel thresholds 2x2 blocks; r blocks either side give a window of 2 (2r + 1) px.
    radius = max(1, round((_WINDOW_MM * dpi / 25.4 / 2 - 1) / 2))
    return _kernels.sauvola(np.ascontiguousarray(gray), radius, float(k), _DYNAMIC)
