"""Rotation and deskew: straighten a page by the angle ``estimate_skew`` reports."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from edge.exceptions import ImageError
from edge.imaging.skew import SkewEstimate, check_gray, estimate_skew

# Below this a text line drifts < 2 px across an A4 page at 300 dpi: resampling would blur
# more than it straightens (and costs a full-page warp).
_NEGLIGIBLE_DEGREES = 0.05
# OpenCV's remap works on images whose sides fit a signed 16-bit integer.
_CV_MAX_SIDE = 32767


@dataclass(frozen=True)
class DeskewResult:
    """The straightened page (or the input unchanged when not applied) and why."""

    image: np.ndarray
    estimate: SkewEstimate
    applied: bool


def rotate(gray: np.ndarray, angle_degrees: float) -> np.ndarray:
    """Rotate counter-clockwise like PIL ``Image.rotate``, growing the canvas, filling with white."""
    check_gray(gray)
    if not math.isfinite(angle_degrees):
        raise ImageError(f"rotation angle must be finite, got {angle_degrees}")
    quarter = angle_degrees / 90.0
    if quarter == round(quarter):
        # Exact quarter turns need no resampling.
        return np.ascontiguousarray(np.rot90(gray, int(round(quarter)) % 4))

    h, w = gray.shape
    a = math.radians(angle_degrees)
    cos, sin = abs(math.cos(a)), abs(math.sin(a))
    # Pixel squares span w x h; a hair of tolerance keeps float noise from adding a column.
    new_w = math.ceil(w * cos + h * sin - 1e-6)
    new_h = math.ceil(w * sin + h * cos - 1e-6)
    if max(new_w, new_h) > _CV_MAX_SIDE:
        raise ImageError(f"rotated page would be too large: {new_w}x{new_h} px")
    matrix = cv2.getRotationMatrix2D(((w - 1) / 2.0, (h - 1) / 2.0), angle_degrees, 1.0)
    matrix[0, 2] += (new_w - w) / 2.0
    matrix[1, 2] += (new_h - h) / 2.0
    return cv2.warpAffine(
        gray,
        matrix,
        (new_w, new_h),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=255,
    )


def deskew(
    gray: np.ndarray, *, min_confidence: float = 0.3, max_angle: float = 45.0
) -> DeskewResult:
    """Straighten ``gray`` when the skew estimate is confident enough; otherwise return it as is."""
    estimate = estimate_skew(gray, max_angle=max_angle)
    if estimate.confidence < min_confidence or abs(estimate.angle_degrees) < _NEGLIGIBLE_DEGREES:
        return DeskewResult(image=gray, estimate=estimate, applied=False)
    return DeskewResult(
        image=rotate(gray, -estimate.angle_degrees), estimate=estimate, applied=True
    )
