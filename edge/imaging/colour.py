"""Colour dropout: red seals and blue or purple signatures made paper for OCR, the colours kept.

Vietnamese petitions carry a red seal (con dấu) and a signature in blue or purple ink across the
typed text; in a plain luminance image both are dark marks that Tesseract reads as noise and
that break the letters under them. Strongly coloured pixels of those hues take their
are painted paper, so a red stroke on white disappears while black type, and black type crossing
a seal, stays dark. Ink of a colour the page is mostly written in (a handwritten letter in blue
ballpoint) is left alone.
"""
from __future__ import annotations

import cv2
import numpy as np

from edge.exceptions import ImageError

# OpenCV hue is 0..179. Red wraps around 0; blue through purple (ballpoint and ink-pad violet).
_RED = ((0, 20), (150, 179))  # wide: JPEG shifts the hue of stroke edges
_BLUE = ((95, 149),)
# Saturation (0..255) above which a pixel counts as coloured ink: scanner colour fringes on black
# type and paper tint stay below ~60; seal and ballpoint ink are 100+.
_MIN_SATURATION = 90
# Pixels of a dropped colour down to this saturation go too: the rims of its strokes and what
# JPEG's halved colour resolution smears around them.
_RIM_SATURATION = 35
# Darker than this (value, 0..255) is ink whatever its hue: black type over a seal.
_MIN_VALUE = 60
# Ink: darker than paper by this much in luminance.
_INK_DEPTH = 60
# A colour is dropped only while its ink is at most this share of all ink (a product decision:
# a seal or a signature is the smaller part of a typed page's ink even on a short letter; a
# page mostly in one colour is written in it). Judged per colour, so the red seal on a letter
# handwritten in blue still goes.
_MAX_COLOUR_SHARE = 0.6


def dropout(rgb: np.ndarray, luma: np.ndarray) -> tuple[np.ndarray, float]:
    """The page for OCR with seal-red and signature-blue ink lightened, and the dropped ink's share of all ink.

    ``luma`` is the plain grayscale of ``rgb`` (HxWx3 uint8); it comes back unchanged when the
    page has no coloured marks or is mostly written in colour.
    """
    if rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] != 3 or luma.shape != rgb.shape[:2]:
        raise ImageError(f"colour dropout needs HxWx3 uint8 and its HxW gray, got {rgb.shape} {luma.shape}")
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    h, s, v = hsv[:, :, 0], hsv[:, :, 1], hsv[:, :, 2]
    strong = (s >= _MIN_SATURATION) & (v >= _MIN_VALUE)
    paper = float(np.percentile(luma[::4, ::4], 90))
    ink = luma < paper - _INK_DEPTH
    families = []
    for ranges in (_RED, _BLUE):
        hue = np.zeros(h.shape, bool)
        for lo, hi in ranges:
            hue |= (h >= lo) & (h <= hi)
        families.append((hue & strong, hue & (s >= _RIM_SATURATION) & (v >= _MIN_VALUE)))
    n_ink = int(np.count_nonzero(ink | families[0][0] | families[1][0]))
    if not n_ink:
        return luma, 0.0
    drop = np.zeros(h.shape, bool)
    dropped = 0
    for coloured, rim in families:
        n = int(np.count_nonzero(coloured))
        if n and n <= _MAX_COLOUR_SHARE * n_ink:
            drop |= rim
            dropped += n
    if not dropped:
        return luma, 0.0
    share = dropped / n_ink
    # Paper, not the ink's own lightness: a seal pad's red is only ~0.8 of the paper's value and
    # would stay a grey ring that binarization can keep. Black type over it is darker than
    # _MIN_VALUE and is not in the mask.
    out = luma.copy()
    out[drop] = int(min(255.0, paper))
    return out, share
