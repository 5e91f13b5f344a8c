"""A page image's resolution: what the file says when it is plausible, else what its size implies."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

# The page model: petitions are written on A4 (297 mm long side); a slip or a copied ID card
# (~100 mm) and an A3 sheet with the scanner's margin (~450 mm) are the smallest and largest
# things scanned. A declared resolution that makes the image's long side shorter or longer
# than those is a default of the camera or program (72 or 96 dpi on phone photos), not a
# measurement; the page is then taken to be A4.
_A4_LONG_IN = 297 / 25.4
_MIN_LONG_IN = 100 / 25.4
_MAX_LONG_IN = 450 / 25.4
# The pipeline's working range (edge.imaging.prepare checks 50..2400).
MIN_DPI, MAX_DPI = 50, 1200


# The text model: a typed petition's body is 13 pt (the administrative standard is 13-14 pt
# Times New Roman; 12-14 pt in practice) at single spacing, whose line pitch is ~1.2 em
# (measured 1.2 on samplegen's four fonts): 0.217 in. A4 and text agree within this ratio on
# a whole typed page; beyond it the image is not a whole A4 sheet (a photo with the desk
# around it, a crop, an A5 note) and the text's pitch is the better measure.
_BODY_PITCH_IN = 13 * 1.2 / 72
_AGREE = 1.3


def page_dpi(declared: float | None, width: int, height: int, *, expected: float | None = None,
             text: Callable[[], float | None] | None = None) -> int:
    """Resolution to process a page image at: the first plausible of the file's declared dpi and
    the ``expected`` one (the scanner's setting), else what the page model gives (an A4 sheet),
    unless the text's line pitch (``text``, computed only then) says the image is no whole sheet."""
    long_px = max(width, height)
    for dpi in (declared, expected):
        if dpi and dpi > 0 and _MIN_LONG_IN <= long_px / dpi <= _MAX_LONG_IN:
            break
    else:
        dpi = long_px / _A4_LONG_IN
        by_text = text() if text is not None else None
        if by_text and not 1 / _AGREE <= by_text / dpi <= _AGREE:
            dpi = by_text
    return int(round(min(MAX_DPI, max(MIN_DPI, dpi))))


def text_dpi(gray: np.ndarray) -> float | None:
    """The resolution the text's line pitch implies under the text model; None without text lines."""
    from edge.imaging import orientation
    from edge.imaging.borders import paper_level
    from edge.imaging.skew import analyse, reduce

    small = reduce(gray)
    scale = gray.shape[0] / small.shape[0]
    sweep = analyse(small, max_angle=15.0)
    if sweep.confidence < 0.3:
        return None  # no straight lines of text to measure
    if sweep.quarter:
        small = np.ascontiguousarray(np.rot90(small))
    pitch = orientation.line_pitch(small, paper_level(small))
    return pitch * scale / _BODY_PITCH_IN if pitch else None


def square_scale(xdpi: float | None, ydpi: float | None) -> tuple[float, float]:
    """Factors (fx, fy) that give a page with unequal resolutions (a fax: 204 x 98 dpi) square pixels.

    The lower resolution is brought up to the higher one; equal or missing ones need nothing.
    """
    if not xdpi or not ydpi or xdpi <= 0 or ydpi <= 0 or abs(xdpi - ydpi) <= 0.05 * max(xdpi, ydpi):
        return 1.0, 1.0
    top = max(xdpi, ydpi)
    return top / xdpi, top / ydpi
