"""Imaging stage: decode a scan, straighten it, turn it upright, crop, binarize, flag blank pages."""

from __future__ import annotations

from edge.imaging.binarize import binarize, binarize_flat
from edge.imaging.colour import dropout
from edge.imaging.decode import Decoded, declared_dpi, decode, decode_scan, to_gray
from edge.imaging.deskew import DeskewResult, deskew, rotate
from edge.imaging.prepare import ImagingRecord, Prepared, prepare
from edge.imaging.resolution import page_dpi, text_dpi
from edge.imaging.skew import SkewEstimate, estimate_skew

__all__ = [
    "Decoded",
    "DeskewResult",
    "ImagingRecord",
    "Prepared",
    "SkewEstimate",
    "binarize",
    "binarize_flat",
    "decode",
    "decode_scan",
    "declared_dpi",
    "deskew",
    "dropout",
    "estimate_skew",
    "page_dpi",
    "prepare",
    "rotate",
    "text_dpi",
    "to_gray",
]
