"""The imaging stage in one call: straighten, turn upright, remove borders, crop, binarize, flag blanks.

Everything is decided on a working copy reduced ~4x (cheap), then the full-resolution page is
resampled once: skew, quarter turn and crop compose into a single affine warp.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import cv2
import numpy as np

from edge.exceptions import ImageError
from edge.imaging import orientation as orient
from edge.imaging.binarize import binarize_flat
from edge.imaging.borders import BLANK_COVERAGE_PERCENT, analyse_layout
from edge.imaging.deskew import rotate
from edge.imaging.skew import analyse, check_gray, reduce

# Below this a text line drifts < 2 px across an A4 page at 300 dpi: resampling would blur
# more than it straightens (and costs a full-page warp).
_NEGLIGIBLE_DEGREES = 0.05
# Margin kept around the content, in millimetres.
_MARGIN_MM = 5.0
# Larger than A3 at 600 dpi is not a page scan; refuse before allocating copies of it.
MAX_PIXELS = 80_000_000
MIN_SIDE = 32


@dataclass(frozen=True)
class ImagingRecord:
    """What the imaging stage did to one page; JSON-serializable via dataclasses.asdict."""

    skew_degrees: float
    skew_confidence: float
    deskewed: bool
    orientation: int  # 0/90/180/270: clockwise rotation applied to make the page upright
    orientation_confidence: float
    crop_box: tuple[int, int, int, int]  # x0, y0, x1, y1 in the straightened, upright image
    blank: bool
    blank_score: float  # content ink coverage, percent of the page area
    timings_ms: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Prepared:
    """The archived page (gray), its binarized twin for OCR (0/255), and the record.

    ``kept`` is the ``keep`` image given to ``prepare`` (the colour scan) straightened and
    cropped the same way, or None.
    """

    archive: np.ndarray
    ocr: np.ndarray
    record: ImagingRecord
    kept: np.ndarray | None = None


def prepare(gray: np.ndarray, *, dpi: int = 300, min_skew_confidence: float = 0.3,
            max_skew_degrees: float = 45.0, orientation: bool = True,
            keep: np.ndarray | None = None) -> Prepared:
    """Run the whole imaging stage on one uint8 grayscale page (and ``keep``, its colour twin)."""
    check_gray(gray)
    h, w = gray.shape
    if keep is not None and (keep.dtype != np.uint8 or keep.shape[:2] != gray.shape):
        raise ImageError(f"the kept image must be uint8 of the page's size, got {keep.dtype} {keep.shape}")
    if min(h, w) < MIN_SIDE:
        raise ImageError(f"image is too small to be a page: {w}x{h} px")
    if h * w > MAX_PIXELS:
        raise ImageError(f"image is too large to process: {w}x{h} px (limit {MAX_PIXELS} pixels)")
    if not 50 <= dpi <= 2400:
        raise ImageError(f"dpi must be within 50..2400, got {dpi}")
    if not 0.0 <= max_skew_degrees <= 45.0:
        raise ImageError(f"max_skew_degrees must be within 0..45, got {max_skew_degrees}")
    gray = np.ascontiguousarray(gray)
    t = _Timer()

    small = reduce(gray)
    fy, fx = h / small.shape[0], w / small.shape[1]
    sweep = analyse(small, max_angle=max_skew_degrees)
    apply = sweep.confidence >= min_skew_confidence and abs(sweep.angle) >= _NEGLIGIBLE_DEGREES
    angle = sweep.angle if apply else 0.0
    straight = rotate(small, -angle) if apply else small
    t.lap("skew")

    quarter, q_conf = 0, 0.0
    if orientation and sweep.confidence >= min_skew_confidence:
        quarter, q_conf = _orientation(straight, sweep)
    upright = np.ascontiguousarray(np.rot90(straight, -quarter // 90))
    t.lap("orientation")

    layout = analyse_layout(upright, scale_dpi=dpi / ((fx + fy) / 2))
    blank = layout.coverage_percent < BLANK_COVERAGE_PERCENT
    t.lap("borders")

    # Full-resolution geometry: rotate(gray, -angle) canvas, then the quarter turn.
    sw, sh = _rotated_size(w, h, angle)
    uw, uh = (sh, sw) if quarter in (90, 270) else (sw, sh)
    f_u = (uw / upright.shape[1] + uh / upright.shape[0]) / 2
    if layout.content_box is None or blank:
        box = (0, 0, uw, uh)
    else:
        margin = _MARGIN_MM * dpi / 25.4
        bx0, by0, bx1, by1 = layout.content_box
        box = (max(0, math.floor(bx0 * f_u - margin)), max(0, math.floor(by0 * f_u - margin)),
               min(uw, math.ceil(bx1 * f_u + margin)), min(uh, math.ceil(by1 * f_u + margin)))
    archive = _warp(gray, angle, quarter, box, (sw, sh))
    kept = None if keep is None else _warp(keep, angle, quarter, box, (sw, sh))
    if layout.border.any():
        _whiten(archive, layout.border, box, f_u, paper=layout.paper)
        if kept is not None:
            _whiten(kept, layout.border, box, f_u, paper=255.0)
    t.lap("rotate")

    ocr_img = binarize_flat(archive, dpi=dpi)
    t.lap("binarize")
    record = ImagingRecord(
        skew_degrees=round(float(sweep.angle), 3), skew_confidence=round(float(sweep.confidence), 3),
        deskewed=bool(apply), orientation=int(quarter), orientation_confidence=round(q_conf, 3),
        crop_box=tuple(int(v) for v in box), blank=bool(blank),
        blank_score=round(float(layout.coverage_percent), 5), timings_ms=t.done(),
    )
    return Prepared(archive=archive, ocr=ocr_img, record=record, kept=kept)


def _orientation(straight: np.ndarray, sweep) -> tuple[int, float]:
    """Clockwise quarter turn that makes ``straight`` (deskewed, working scale) upright, and how sure.

    Only the cheap cues decide here; a page they are unsure of keeps its lines' direction, and
    if it then reads poorly ``edge.orientation`` reads it the other ways up.
    """
    from edge.imaging.borders import paper_level

    paper = paper_level(straight)
    base = sweep.quarter  # 90: lines run down the image; turn them across first
    turned = np.rot90(straight, -base // 90) if base else straight
    cue = orient.updown_cue(turned, paper)
    quarter = (base + (0 if cue >= 0 else 180)) % 360
    conf = min(sweep.quarter_confidence if base else 1.0, orient.cue_confidence(cue))
    if orient.cue_is_sure(cue):
        # Enough text lines voted (accents above the letters, descenders below).
        return quarter, round(float(conf), 3)
    return base, round(float(min(conf, 0.5)), 3)


def _rotated_size(w: int, h: int, angle: float) -> tuple[int, int]:
    if angle == 0.0:
        return w, h
    a = math.radians(angle)
    c, s = abs(math.cos(a)), abs(math.sin(a))
    return math.ceil(w * c + h * s - 1e-6), math.ceil(w * s + h * c - 1e-6)


def _warp(gray: np.ndarray, angle: float, quarter: int, box: tuple[int, int, int, int],
          straight_size: tuple[int, int]) -> np.ndarray:
    """One resampling from the scan to the cropped upright page (exact when there is no skew)."""
    x0, y0, x1, y1 = box
    sw, sh = straight_size
    if angle == 0.0:
        upright = np.rot90(gray, -quarter // 90)
        return np.array(upright[y0:y1, x0:x1], order="C")  # a copy: the caller paints on it
    h, w = gray.shape
    m1 = np.vstack([cv2.getRotationMatrix2D(((w - 1) / 2.0, (h - 1) / 2.0), -angle, 1.0),
                    [0.0, 0.0, 1.0]])
    m1[0, 2] += (sw - w) / 2.0
    m1[1, 2] += (sh - h) / 2.0
    q = {0: [[1, 0, 0], [0, 1, 0]], 90: [[0, -1, sh - 1], [1, 0, 0]],
         180: [[-1, 0, sw - 1], [0, -1, sh - 1]], 270: [[0, 1, 0], [-1, 0, sw - 1]]}[quarter]
    mq = np.vstack([np.array(q, np.float64), [0.0, 0.0, 1.0]])
    crop = np.array([[1.0, 0.0, -x0], [0.0, 1.0, -y0], [0.0, 0.0, 1.0]])
    m = (crop @ mq @ m1)[:2]
    return cv2.warpAffine(gray, m, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=(255, 255, 255))


def _whiten(archive: np.ndarray, border: np.ndarray, box: tuple[int, int, int, int], scale: float,
            *, paper: float) -> None:
    """Paint lid bands and punch holes (working-scale mask) in paper colour inside the crop."""
    x0, y0, x1, y1 = box
    sx0, sy0 = int(x0 / scale), int(y0 / scale)
    sx1, sy1 = min(border.shape[1], math.ceil(x1 / scale)), min(border.shape[0], math.ceil(y1 / scale))
    part = border[sy0:sy1, sx0:sx1]
    if not part.any():
        return
    # 0/1 at working scale, so the full-size mask can serve as a boolean one without a copy.
    part = (cv2.dilate(part, np.ones((3, 3), np.uint8)) > 0).view(np.uint8)
    big = cv2.resize(part, (round((sx1 - sx0) * scale), round((sy1 - sy0) * scale)),
                     interpolation=cv2.INTER_NEAREST)
    ox, oy = round(x0 - sx0 * scale), round(y0 - sy0 * scale)
    big = big[oy : oy + archive.shape[0], ox : ox + archive.shape[1]]
    where = big.view(np.bool_)
    np.copyto(archive[: big.shape[0], : big.shape[1]], int(min(255, paper + 0.5)),
              where=where if archive.ndim == 2 else where[:, :, None])


class _Timer:
    def __init__(self) -> None:
        self.start = self.last = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round((now - self.last) * 1000, 2)
        self.last = now

    def done(self) -> dict[str, float]:
        self.laps["total"] = round((time.perf_counter() - self.start) * 1000, 2)
        return self.laps
