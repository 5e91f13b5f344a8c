"""Imaging stage: decode a scan, straighten it, turn it upright, crop, binarize, flag blank pages."""

from __future__ import annotations

from edge.imaging.binarize import binarize, binarize_flat
from edge.imaging.decode import decode, to_gray
from edge.imaging.deskew import DeskewResult, deskew, rotate
from edge.imaging.prepare import ImagingRecord, Prepared, prepare
from edge.imaging.skew import SkewEstimate, estimate_skew

__all__ = [
    "DeskewResult",
    "ImagingRecord",
    "Prepared",
    "SkewEstimate",
    "binarize",
    "binarize_flat",
    "decode",
    "deskew",
    "estimate_skew",
    "prepare",
    "rotate",
    "to_gray",
]
