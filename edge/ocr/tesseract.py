"""Tesseract adapter (through pytesseract): the one place the OCR engine is called.

Tesseract's OpenMP threading is several times slower than one single-threaded process
per core on small machines, so every call runs with ``OMP_THREAD_LIMIT=1`` and the
caller runs one call per core. Each call has a timeout; outside errors are translated
once into :class:`edge.exceptions.OcrError`.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytesseract

from edge.exceptions import OcrError, OcrUnavailable
from edge.fingerprint.normalize import nfc

# Set before any tesseract child starts; the children inherit it.
os.environ["OMP_THREAD_LIMIT"] = "1"


@dataclass(frozen=True)
class OcrResult:
    """Text of a page (NFC), its mean word confidence (0-100) and word count."""

    text: str
    confidence: float
    words: int


@dataclass(frozen=True)
class ProbeResult:
    ok: bool
    detail: str


def probe(*, lang: str = "vie", timeout_s: float = 10.0) -> ProbeResult:
    """Is tesseract installed, and does it have the language data?"""
    exe = shutil.which(pytesseract.pytesseract.tesseract_cmd) or shutil.which("tesseract")
    if not exe:
        return ProbeResult(False, "tesseract is not installed (apt-get install tesseract-ocr)")
    try:
        out = subprocess.run(
            [exe, "--list-langs"], capture_output=True, text=True, timeout=timeout_s, check=True
        ).stdout
    except (subprocess.SubprocessError, OSError) as e:
        return ProbeResult(False, f"tesseract --list-langs failed: {e}")
    have = set(out.split()[1:]) if out else set()
    missing = [code for code in lang.split("+") if code not in have]
    if missing:
        return ProbeResult(
            False, f"tesseract lacks language data {missing} (apt-get install tesseract-ocr-vie)"
        )
    version = pytesseract.get_tesseract_version()
    return ProbeResult(True, f"tesseract {version}, languages {sorted(have)}")


def _text_from_data(data: dict[str, list]) -> tuple[str, float, int]:
    lines: list[str] = []
    current: tuple[int, int, int] | None = None
    last_par: tuple[int, int] | None = None
    words: list[str] = []
    confs: list[float] = []
    for i, word in enumerate(data["text"]):
        word = (word or "").strip()
        conf = float(data["conf"][i])
        if not word or conf < 0:
            continue
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        if key != current:
            if words:
                lines.append(" ".join(words))
            if last_par is not None and key[:2] != last_par:
                lines.append("")
            words, current, last_par = [], key, key[:2]
        words.append(word)
        confs.append(conf)
    if words:
        lines.append(" ".join(words))
    mean = float(np.mean(confs)) if confs else 0.0
    return "\n".join(lines).strip(), mean, len(confs)


def recognize(
    gray: np.ndarray, *, lang: str = "vie", psm: int = 3, dpi: int = 300, timeout_s: float = 120.0
) -> OcrResult:
    """OCR one grayscale page; raise OcrError on a crash or timeout, OcrUnavailable if not installed."""
    if gray.dtype != np.uint8 or gray.ndim != 2:
        raise OcrError(f"OCR needs a uint8 grayscale image, got {gray.dtype} {gray.shape}")
    with tempfile.TemporaryDirectory(prefix="donthu-ocr-") as tmp:
        # PGM is written and read without compression: faster than pytesseract's PNG temp file.
        path = Path(tmp) / "page.pgm"
        if not cv2.imwrite(str(path), gray):
            raise OcrError("could not write the page for tesseract")
        try:
            data = pytesseract.image_to_data(
                str(path),
                lang=lang,
                config=f"--psm {int(psm)} --dpi {int(dpi)}",
                output_type=pytesseract.Output.DICT,
                timeout=timeout_s,
            )
        except pytesseract.TesseractNotFoundError as e:
            raise OcrUnavailable("tesseract is not installed") from e
        except pytesseract.TesseractError as e:
            raise OcrError(f"tesseract failed (status {e.status}): {e.message[:300]}") from e
        except RuntimeError as e:  # pytesseract raises RuntimeError on timeout
            raise OcrError(f"tesseract did not finish within {timeout_s:.0f} s") from e
        except OSError as e:
            raise OcrError(f"tesseract could not run: {e}") from e
    text, conf, words = _text_from_data(data)
    return OcrResult(text=nfc(text), confidence=round(conf, 1), words=words)
