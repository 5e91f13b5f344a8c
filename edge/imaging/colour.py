"""Colour dropout: red seals and blue ballpoint signatures taken out of a colour scan before OCR.

Where it runs: the pipeline's decode stage gives a colour scan's RGB pixels
(``edge.imaging.decode.decode_scan``), and its prepare stage hands them to ``dropout`` in place
of the plain luma; the colour image is kept for the archive, the gray page goes on to OCR.

The model of the page (stated, not fitted):
- Paper and black toner or ink are near-neutral: their CIELAB chroma is the paper's own tint plus
  sensor noise. A pixel whose chroma is more than ``NOISE_SIGMAS`` noise deviations above the
  paper's (and at least ``MIN_CHROMA``) carries coloured ink.
- Inks are layers that multiply the light (a stamp pressed over print darkens it further, it does
  not cover it). A coloured ink absorbs some channels and passes its own: red seal ink passes
  red, blue ballpoint ink passes blue. The brightest channel of a pixel is therefore what the
  black layer alone would leave there, scaled by how much of its own channel the coloured ink
  passes; dividing by that (the ink's brightest response on this page) recovers the black layer.
  Black print under a seal stays black because it absorbs every channel.
- Hue bands (CIELAB hue angle h = atan2(b*, a*)): red stamp inks (cinnabar to magenta-red) lie
  within ``RED_HUES``; blue and violet ballpoint inks within ``BLUE_HUES``. Green and yellow inks
  (highlighters) are left as they are: they are not what hides the text on these pages.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from edge.exceptions import ImageError

# Hue bands in degrees of the CIELAB hue angle; a band may wrap through 0.
RED_HUES = (-45.0, 75.0)
BLUE_HUES = (195.0, 315.0)
# A neutral pixel's chroma exceeds the paper's by 6 noise deviations with probability ~1e-9
# (Gaussian noise in a* and b*): at most a few stray pixels a page.
NOISE_SIGMAS = 6.0
# Five just-noticeable colour differences (ΔE ≈ 2.3 each): on a clean scan, where the measured
# noise is ~0, this keeps the faint colour fringe of black print (scanner CCD misregistration)
# from counting as coloured ink.
MIN_CHROMA = 12.0
# The ink's full strength on the page: its chroma at this percentile over its pixels (the densest
# pure ink, not ink over print, which is dark and so less chromatic); pixels at least
# DENSE_SHARE as chromatic give the ink's reflectance in the channel it passes.
INK_PERCENTILE = 95.0
DENSE_SHARE = 0.7


@dataclass(frozen=True)
class DropResult:
    """The grayscale page for OCR with coloured ink removed, and the share of pixels that had it."""

    gray: np.ndarray
    removed_share: float
    red_share: float = 0.0
    blue_share: float = 0.0


# A product decision: seals and signatures are marks on a letter, not most of its ink. When one
# colour holds over this share of the page's ink, that colour is the writing and is kept.
MOSTLY_COLOUR = 0.6


def _paper_chroma(l_chan: np.ndarray, chroma: np.ndarray) -> tuple[float, float]:
    """Paper's median chroma and its noise (robust: MAD), from the lightest pixels."""
    step = max(1, int(np.sqrt(l_chan.size / 250_000)))  # a grid sample: ~250k pixels suffice
    light = l_chan[::step, ::step].ravel()
    chroma_s = chroma[::step, ::step].ravel()
    cut = np.percentile(light, 60)  # most of a page is paper; its lightest 40 % surely is
    paper_c = chroma_s[light >= cut]
    med = float(np.median(paper_c))
    sigma = 1.4826 * float(np.median(np.abs(paper_c - med)))
    return med, sigma


def _paper_colour(rgb: np.ndarray, l_chan: np.ndarray) -> tuple[np.ndarray, float]:
    """Paper's RGB and gray level: the median of the lightest 40 % of a grid sample."""
    step = max(1, int(np.sqrt(l_chan.size / 250_000)))
    light = l_chan[::step, ::step]
    sample = rgb[::step, ::step][light >= np.percentile(light, 60)].astype(np.float32)
    paper = np.maximum(np.median(sample, axis=0), 1.0)
    gray = float(paper @ np.array([0.299, 0.587, 0.114], np.float32))
    return paper, min(255.0, gray)


def _in_band(hue: np.ndarray, band: tuple[float, float]) -> np.ndarray:
    lo, hi = band
    if lo < 0:
        return (hue >= lo + 360.0) | (hue <= hi)
    return (hue >= lo) & (hue <= hi)


def drop_colour(rgb: np.ndarray) -> DropResult:
    """RGB page (uint8 HxWx3) → grayscale page for OCR with red and blue ink dropped out."""
    if not isinstance(rgb, np.ndarray) or rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] not in (3, 4):
        raise ImageError(f"colour dropout needs a uint8 HxWx3 RGB image, got "
                         f"{getattr(rgb, 'dtype', type(rgb).__name__)} {getattr(rgb, 'shape', '')}")
    if min(rgb.shape[:2]) < 2:
        raise ImageError(f"image is too small to be a page: {rgb.shape[1]}x{rgb.shape[0]} px")
    rgb = np.ascontiguousarray(rgb[:, :, :3])
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2Lab)  # 8-bit: L*·255/100, a*+128, b*+128
    a = lab[:, :, 1].astype(np.float32) - 128.0
    b = lab[:, :, 2].astype(np.float32) - 128.0
    chroma = cv2.magnitude(a, b)
    paper_c, sigma = _paper_chroma(lab[:, :, 0], chroma)
    coloured = chroma > max(MIN_CHROMA, paper_c + NOISE_SIGMAS * sigma)
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)  # BT.601 luma, as imaging.to_gray
    ys, xs = np.nonzero(coloured)
    if not len(ys):
        return DropResult(gray=gray, removed_share=0.0)
    # Only the coloured pixels (a few per cent of a page) need a hue.
    hue = np.degrees(np.arctan2(b[ys, xs], a[ys, xs])) % 360.0
    c_all = chroma[ys, xs]
    rgb_all = rgb[ys, xs].astype(np.float32)
    paper_rgb, paper_gray = _paper_colour(rgb, lab[:, :, 0])
    n_ink = int(np.count_nonzero((gray < paper_gray - 60) | coloured))
    shares = []
    for band in (RED_HUES, BLUE_HUES):
        sel = _in_band(hue, band)
        n = int(np.count_nonzero(sel))
        if not n or n > MOSTLY_COLOUR * n_ink:  # a letter written in blue: its ink is the text
            shares.append(0.0)
            continue
        shares.append(n / coloured.size)
        # Reflectance of each ink pixel in the channel the ink passes (1 = paper).
        passed = (rgb_all[sel] / paper_rgb).max(axis=1)
        c = c_all[sel]
        c_ink = float(np.percentile(c, INK_PERCENTILE))
        dense = c >= DENSE_SHARE * c_ink
        r_own = float(np.clip(np.median(passed[dense]), 0.05, 1.0))
        # Coverage from chroma, then the ink layer divided out (multiplicative model).
        alpha = np.minimum(c / c_ink, 1.0)
        black = np.minimum(passed / (1.0 - alpha * (1.0 - r_own)), 1.0)
        gray[ys[sel], xs[sel]] = np.rint(black * paper_gray).astype(np.uint8)
    red, blue = shares
    return DropResult(gray=gray, removed_share=round(red + blue, 5), red_share=round(red, 5),
                      blue_share=round(blue, 5))


def dropout(rgb: np.ndarray, luma: np.ndarray) -> tuple[np.ndarray, float]:
    """The pipeline's call: the page for OCR with seal and signature ink dropped, and the dropped
    ink's share of all the page's ink; ``luma`` (the plain gray of ``rgb``) comes back unchanged
    when nothing was dropped."""
    if rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] != 3 or luma.shape != rgb.shape[:2]:
        raise ImageError(f"colour dropout needs HxWx3 uint8 and its HxW gray, got {rgb.shape} {luma.shape}")
    result = drop_colour(rgb)
    if result.removed_share <= 0:
        return luma, 0.0
    # Ink = what is clearly darker than the paper in the plain gray; dropped = ink made paper.
    paper = float(np.percentile(luma[::4, ::4], 90))
    ink = luma < paper - 60
    dropped = ink & (result.gray.astype(np.int16) - luma.astype(np.int16) > 30)
    n_ink = int(np.count_nonzero(ink))
    return result.gray, (int(np.count_nonzero(dropped)) / n_ink if n_ink else 0.0)
