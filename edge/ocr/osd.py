"""Tesseract orientation and script detection (``--psm 0``): the fallback when cheap cues are unsure."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import numpy as np
import pytesseract

from edge.exceptions import OcrError, OcrUnavailable

os.environ["OMP_THREAD_LIMIT"] = "1"  # one single-threaded process per core, like OCR itself


@dataclass(frozen=True)
class OsdResult:
    """Clockwise rotation (0/90/180/270) that makes the page upright, and Tesseract's confidence."""

    rotate: int
    confidence: float


def detect_orientation(gray: np.ndarray, *, dpi: int = 300, timeout_s: float = 20.0) -> OsdResult:
    """Run Tesseract OSD on a grayscale page; raise OcrError on failure, OcrUnavailable if missing."""
    if not isinstance(gray, np.ndarray) or gray.dtype != np.uint8 or gray.ndim != 2:
        raise OcrError("orientation detection needs a uint8 grayscale image")
    try:
        out = pytesseract.image_to_osd(
            gray, config=f"--psm 0 --dpi {int(dpi)}", timeout=timeout_s
        )
    except pytesseract.TesseractNotFoundError as e:
        raise OcrUnavailable("tesseract is not installed") from e
    except pytesseract.TesseractError as e:
        # Too few characters is an answer ("cannot tell"), not a crash.
        if "Too few characters" in str(e.message):
            return OsdResult(rotate=0, confidence=0.0)
        raise OcrError(f"tesseract OSD failed (status {e.status}): {e.message[:300]}") from e
    except RuntimeError as e:  # pytesseract raises RuntimeError on timeout
        raise OcrError(f"tesseract OSD did not finish within {timeout_s:.0f} s") from e
    except OSError as e:
        raise OcrError(f"tesseract could not run: {e}") from e
    rot = re.search(r"Rotate:\s*(\d+)", out)
    conf = re.search(r"Orientation confidence:\s*([\d.]+)", out)
    if not rot:
        raise OcrError("tesseract OSD gave no rotation")
    return OsdResult(rotate=int(rot.group(1)) % 360, confidence=float(conf.group(1)) if conf else 0.0)
