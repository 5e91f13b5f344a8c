"""A page image's resolution: what the file says when it is plausible, else what its size implies."""
from __future__ import annotations

# The page model: petitions are written on A4 (297 mm long side); letters on A5 and A3 sheets
# are the smallest and largest seen. A declared resolution that makes the image's long side
# shorter than A5's or longer than A3's is a default of the camera or program (72 or 96 dpi on
# phone photos), not a measurement.
_A4_LONG_IN = 297 / 25.4
_MIN_LONG_IN = 210 / 25.4
_MAX_LONG_IN = 420 / 25.4
# The pipeline's working range (edge.imaging.prepare checks 50..2400).
MIN_DPI, MAX_DPI = 50, 1200


def page_dpi(declared: float | None, width: int, height: int) -> int:
    """Resolution to process a page image at: its declared dpi if plausible, else as if it were A4."""
    long_px = max(width, height)
    if declared and declared > 0 and _MIN_LONG_IN <= long_px / declared <= _MAX_LONG_IN:
        dpi = declared
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
