"""A page image's resolution: what the file says when it is plausible, else what its size implies."""
from __future__ import annotations

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


def page_dpi(declared: float | None, width: int, height: int, *, expected: float | None = None) -> int:
    """Resolution to process a page image at: the first plausible of the file's declared dpi and
    the ``expected`` one (the scanner's setting), else what the page model gives (an A4 sheet)."""
    long_px = max(width, height)
    for dpi in (declared, expected):
        if dpi and dpi > 0 and _MIN_LONG_IN <= long_px / dpi <= _MAX_LONG_IN:
            break
    else:
        dpi = long_px / _A4_LONG_IN
    return int(round(min(MAX_DPI, max(MIN_DPI, dpi))))


def square_scale(xdpi: float | None, ydpi: float | None) -> tuple[float, float]:
    """Factors (fx, fy) that give a page with unequal resolutions (a fax: 204 x 98 dpi) square pixels.

    The lower resolution is brought up to the higher one; equal or missing ones need nothing.
    """
    if not xdpi or not ydpi or xdpi <= 0 or ydpi <= 0 or abs(xdpi - ydpi) <= 0.05 * max(xdpi, ydpi):
        return 1.0, 1.0
    top = max(xdpi, ydpi)
    return top / xdpi, top / ydpi
