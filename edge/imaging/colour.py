"""Colour dropout: red seals and blue or purple signatures made paper for OCR, the colours kept.

Vietnamese petitions carry a red seal (con dấu) and a signature in blue or purple ink across the
typed text; in a plain luminance image both are dark marks that Tesseract reads as noise and
that break the letters under them. Strongly coloured pixels of those hues take their
brightness (HSV value: how light the paper shows through the ink) instead of their luminance,
so a red stroke on white becomes near-white while black type, and black type crossing a seal,
stays dark. Ink of a colour the page is mostly written in (a handwritten letter in blue
ballpoint) is left alone.
"""
from __future__ import annotations

import cv2
import numpy as np

from edge.exceptions import ImageError

# OpenCV hue is 0..179. Red wraps around 0; blue through purple (ballpoint and ink-pad violet).
_RED = ((0, 12), (160, 179))
_BLUE = ((95, 159),)
# Saturation (0..255) above which a pixel counts as coloured ink: scanner colour fringes on black
# type and paper tint stay below ~60; seal and ballpoint ink are 100+.
_MIN_SATURATION = 90
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
        families.append(hue & strong)
    n_ink = int(np.count_nonzero(ink | families[0] | families[1]))
    if not n_ink:
        return luma, 0.0
    drop = np.zeros(h.shape, bool)
    for coloured in families:
        if np.count_nonzero(coloured) <= _MAX_COLOUR_SHARE * n_ink:
            drop |= coloured
    share = float(np.count_nonzero(drop)) / n_ink
    if not share:
        return luma, 0.0
    # The anti-aliased rim of a coloured stroke is too pale to count as coloured but would stay
    # a dark outline; its value is light too. Black type nearby keeps a low value: unaffected.
    drop = cv2.dilate(drop.view(np.uint8), np.ones((5, 5), np.uint8)).view(bool)
    out = luma.copy()
    np.copyto(out, v, where=drop)
    return out, share
