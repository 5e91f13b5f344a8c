"""OCR stage: Tesseract in Vietnamese, one single-threaded process per core."""
from __future__ import annotations

from edge.ocr.tesseract import OcrResult, prestart, probe, recognize

__all__ = ["OcrResult", "prestart", "probe", "recognize"]
