"""Imaging stage: decode a scan to grayscale, measure its skew, straighten it."""

from __future__ import annotations

from edge.imaging.decode import decode, to_gray
from edge.imaging.deskew import DeskewResult, deskew, rotate
from edge.imaging.skew import SkewEstimate, estimate_skew

__all__ = [
    "DeskewResult",
    "SkewEstimate",
    "decode",
    "deskew",
    "estimate_skew",
    "rotate",
    "to_gray",
]
