"""Is this page handwritten? Tesseract's word confidences and the shape of the strokes, one model.

Where it runs: in the OCR stage, right after Tesseract has read the page (``recognize`` in
``edge/pipeline.py``, at the page's own resolution); when the verdict says so, the page gets the
flag ``handwritten`` so that its junk text is neither fingerprinted as if it were read nor shown
as such, and a clerk is asked about it instead.

Typed print and handwriting differ in ways a page shows without reading it: print sits on an
exact baseline (neighbouring letters end on the same pixel row), its letters repeat at a few
exact heights, its vertical strokes are upright and of the font's width; a hand wanders, varies
in size, slants and presses unevenly. And Tesseract, trained on print, reads few handwritten
words with confidence. Each of these is one feature below; a logistic model over them (weights
and threshold in ``data/handwriting.json``, fitted by ``python -m tests.bench.bench_handwriting
--fit``) gives the score, and its largest contributions are the verdict's reasons. Without an
OCR result the image-only model of the same file is used.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from edge.exceptions import ImageError
from edge.ocr.tesseract import OcrResult

MODEL_FILE = Path(__file__).with_name("data") / "handwriting.json"
# Features are measured at this resolution (or the scan's, if lower): fine enough for a baseline
# to the pixel (a 13-pt x-height is ~18 px), coarse enough for ~20 ms a page.
WORK_DPI = 200
# Tesseract's own "confident" level for a word (the pipeline's low_ocr_confidence as well).
CONFIDENT = 60.0
# Letter-sized components: 0.8 mm (a dot of i is smaller) to 12 mm (a line of a table is longer).
MIN_H_MM, MAX_H_MM, MAX_W_MM = 0.8, 12.0, 60.0
FEATURES = ("confident_share", "mean_conf", "baseline_jitter", "height_spread", "aspect",
            "upright_share", "stroke_cv", "repeat_share")
# Print repeats each letter at one exact size: the share of letters whose (width, height) in
# pixels is one of the page's this many commonest covers ~70 % of a typed page (the two dozen
# commonest letters of Vietnamese), a quarter of a handwritten one.
REPEAT_TOP = 20
IMAGE_FEATURES = FEATURES[2:]


@dataclass(frozen=True)
class HandwritingVerdict:
    """Whether a page is handwritten, the model's score (0-1) and the features that decided it."""

    handwritten: bool
    score: float
    reasons: tuple[str, ...]
    features: dict[str, float] | None = None


@functools.lru_cache(maxsize=1)
def load_model(path: Path = MODEL_FILE) -> dict:
    """The fitted model (weights, scaling, threshold) from its JSON file."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ImageError(f"handwriting model {path} is missing or damaged: {e}") from e


def _ink(gray: np.ndarray, dpi: int) -> tuple[np.ndarray, np.ndarray, float]:
    """The page at the working resolution, its ink mask (Otsu) and that resolution."""
    f = min(1.0, WORK_DPI / dpi)
    work = cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1 else gray
    _, ink = cv2.threshold(work, 0, 1, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return work, ink, dpi * f


def _baseline_jitter(x: np.ndarray, y: np.ndarray, w: np.ndarray, h: np.ndarray, h_med: float) -> float:
    """Median height difference of the bottoms of neighbouring letters, in letter heights."""
    order = np.argsort(x)
    x, y, w, h = x[order], y[order], w[order], h[order]
    bottom = y + h
    diffs = []
    right = x + w
    lo = np.searchsorted(x, right - 0.2 * h_med)
    hi = np.searchsorted(x, right + 0.8 * h_med)
    for i in range(len(x)):
        for j in range(lo[i], min(hi[i], lo[i] + 12)):
            if j == i:
                continue
            overlap = min(bottom[i], bottom[j]) - max(y[i], y[j])
            if overlap > 0.5 * min(h[i], h[j]):
                diffs.append(abs(float(bottom[i] - bottom[j])))
                break
    if len(diffs) < 20:
        return 0.0
    return float(np.mean(np.minimum(diffs, h_med)) / h_med)


def _repeat_share(w: np.ndarray, h: np.ndarray) -> float:
    """Share of letters whose exact pixel size is among the page's REPEAT_TOP commonest."""
    _, counts = np.unique(w.astype(np.int64) * 100_000 + h.astype(np.int64), return_counts=True)
    return float(np.sort(counts)[::-1][:REPEAT_TOP].sum() / len(w))


def features(gray: np.ndarray, ocr: OcrResult | None, *, dpi: int) -> dict[str, float] | None:
    """The page's features (see FEATURES); None if it has too little ink to judge."""
    if not isinstance(gray, np.ndarray) or gray.dtype != np.uint8 or gray.ndim != 2 or min(gray.shape) < 16:
        raise ImageError(f"handwriting check needs a uint8 grayscale page, got "
                         f"{getattr(gray, 'dtype', type(gray).__name__)} {getattr(gray, 'shape', '')}")
    if not 50 <= dpi <= 1200:
        raise ImageError(f"resolution must be 50-1200 dpi, got {dpi}")
    work, ink, wdpi = _ink(gray, dpi)
    mm = wdpi / 25.4
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    x, y, w, h, area = (stats[1:, k].astype(np.float64) for k in range(5))
    keep = (h >= MIN_H_MM * mm) & (h <= MAX_H_MM * mm) & (w <= MAX_W_MM * mm) & (area >= 0.5 * mm * mm)
    if np.count_nonzero(keep) < 30:
        return None
    x, y, w, h = x[keep], y[keep], w[keep], h[keep]
    h_med = float(np.median(h))
    q1, q3 = np.percentile(h, [25, 75])
    # Stroke width: the distance transform's value on stroke centres (local maxima).
    dist = cv2.distanceTransform(ink, cv2.DIST_L2, 3)
    ridge = (dist >= cv2.dilate(dist, np.ones((3, 3), np.uint8))) & (dist > 0)
    widths = dist[ridge]
    # Uprightness: of the gradient energy across near-vertical strokes (within 30° of upright),
    # the share within 4° of it; printed type is upright, a hand slants and wavers. Only strong
    # edges count: a Sobel step response of at least half the full paper-to-ink step (4·contrast).
    # Smoothed first: on a noisy copy the sensor noise would otherwise give edges of any angle.
    smooth = cv2.GaussianBlur(work, (0, 0), 1.0)
    gx = cv2.Sobel(smooth, cv2.CV_16S, 1, 0, ksize=3)
    gy = cv2.Sobel(smooth, cv2.CV_16S, 0, 1, ksize=3)
    l1 = cv2.add(cv2.convertScaleAbs(gx, alpha=0.25), cv2.convertScaleAbs(gy, alpha=0.25))
    contrast = max(8.0, float(np.median(work[ink == 0][::97])) - float(np.median(work[ink == 1][::7])))
    ys, xs = np.nonzero(l1 > 0.5 * contrast)
    ex, ey = gx[ys, xs].astype(np.float32), gy[ys, xs].astype(np.float32)
    mag = np.hypot(ex, ey)
    off = np.degrees(np.arctan2(np.abs(ey), np.abs(ex)))  # 0 = gradient across a vertical stroke
    near = off < 30
    upright = float(mag[near & (off < 4)].sum() / max(1e-6, mag[near].sum()))
    out = {
        "baseline_jitter": _baseline_jitter(x, y, w, h, h_med),
        "height_spread": float((q3 - q1) / h_med),
        "aspect": float(np.median(w / h)),
        "upright_share": upright,
        "stroke_cv": float(np.std(widths) / max(1e-6, np.mean(widths))) if widths.size else 0.0,
        "repeat_share": _repeat_share(w, h),
    }
    if ocr is not None:
        words = [b for b in ocr.boxes if len(b.text) >= 2]
        out["confident_share"] = (sum(b.conf >= CONFIDENT for b in words) / len(words)) if words else 0.0
        out["mean_conf"] = (float(np.mean([b.conf for b in words])) / 100.0) if words else 0.0
    return out


def score(feats: dict[str, float], model: dict) -> tuple[float, list[tuple[float, str]]]:
    """The model's probability that the page is handwritten, and each feature's contribution."""
    names = model["features"]
    z = (np.array([feats[k] for k in names]) - np.array(model["mean"])) / np.array(model["scale"])
    parts = np.array(model["coef"]) * z
    logit = float(parts.sum() + model["intercept"])
    return float(1.0 / (1.0 + np.exp(-logit))), sorted(zip(parts.tolist(), names, strict=True), reverse=True)


def is_handwritten(gray: np.ndarray, ocr: OcrResult | None, *, dpi: int) -> HandwritingVerdict:
    """Judge whether a page (uint8 gray, as scanned or straightened) is handwritten."""
    feats = features(gray, ocr, dpi=dpi)
    if feats is None:
        return HandwritingVerdict(False, 0.0, ("too_little_text",))
    model = load_model()["with_ocr" if ocr is not None else "image_only"]
    p, parts = score(feats, model)
    handwritten = p >= model["threshold"]
    # The reasons are the features that pushed the score the way it went, strongest first.
    pushed = [(c, k) for c, k in (parts if handwritten else parts[::-1]) if (c > 0) == handwritten]
    reasons = tuple(f"{k}={feats[k]:.3g}" for _, k in pushed[:3])
    return HandwritingVerdict(bool(handwritten), round(float(p), 4), reasons, feats)
