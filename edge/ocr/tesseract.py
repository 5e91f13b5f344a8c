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
class Word:
    """One recognised word with its box (pixels of the OCR input) and confidence (0-100)."""

    text: str
    conf: float
    left: int
    top: int
    width: int
    height: int


@dataclass(frozen=True)
class OcrResult:
    """Text of a page (NFC), its mean word confidence (0-100), its words, and the page as PDF."""

    text: str
    confidence: float
    words: int
    boxes: tuple[Word, ...] = ()
    pdf: bytes = b""


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


def _text_from_data(data: dict[str, list]) -> tuple[str, float, tuple[Word, ...]]:
    lines: list[str] = []
    current: tuple[int, int, int] | None = None
    last_par: tuple[int, int] | None = None
    words: list[str] = []
    boxes: list[Word] = []
    for i, word in enumerate(data.get("text", [])):
        word = str(word or "").strip()
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
        boxes.append(Word(word, conf, int(data["left"][i]), int(data["top"][i]),
                          int(data["width"][i]), int(data["height"][i])))
    if words:
        lines.append(" ".join(words))
    mean = float(np.mean([b.conf for b in boxes])) if boxes else 0.0
    return "\n".join(lines).strip(), mean, tuple(boxes)


def _is_two_level(image: np.ndarray) -> bool:
    # inRange + countNonZero: ~0.3 ms a page against ~15 ms for np.isin.
    return cv2.countNonZero(cv2.inRange(image, 1, 254)) == 0


def _write_input(image: np.ndarray, tmp: Path) -> Path:
    # A two-level page goes in as a raw 1-bit PBM: packing the bits costs ~1 ms where a 1-bit PNG
    # cost ~25 ms of Python-side deflate, and Tesseract's PDF renderer still embeds it with
    # CCITT G4 (tens of KB a page). Gray pages go in as PGM, written and read without compression.
    if _is_two_level(image):
        path = tmp / "page.pbm"
        height, width = image.shape
        # P4: 1 = black, rows padded to whole bytes. Packing the page as it is (paper 255 → 1)
        # and inverting the packed bits needs no page-sized boolean copy of it.
        bits = np.packbits(image, axis=1)
        np.invert(bits, out=bits)
        if width % 8:
            bits[:, -1] &= (0xFF << (8 - width % 8)) & 0xFF  # the padding bits stay 0
        with path.open("wb") as f:
            f.write(b"P4\n%d %d\n" % (width, height))
            f.write(bits)
        return path
    path = tmp / "page.pgm"
    if not cv2.imwrite(str(path), image):
        raise OcrError("could not write the page for tesseract")
    return path


def recognize(
    image: np.ndarray, *, lang: str = "vie", psm: int = 3, dpi: int = 300,
    timeout_s: float = 120.0, pdf: bool = False, invert: bool = True,
) -> OcrResult:
    """OCR one page (uint8 gray or 0/255) in one Tesseract run: text, word boxes and, if asked, a PDF.

    ``invert=False`` skips Tesseract's retry of doubtful words as light-on-dark text: a few
    percent of its time, and nothing to find on a page the imaging stage made dark-on-light.
    Raise OcrError on a crash or timeout, OcrUnavailable if Tesseract is not installed.
    """
    if image.dtype != np.uint8 or image.ndim != 2:
        raise OcrError(f"OCR needs a uint8 grayscale image, got {image.dtype} {image.shape}")
    with tempfile.TemporaryDirectory(prefix="donthu-ocr-") as tmp_name:
        tmp = Path(tmp_name)
        src = _write_input(image, tmp)
        base = tmp / "out"
        try:
            pytesseract.pytesseract.run_tesseract(
                str(src), str(base), extension="pdf" if pdf else "tsv", lang=lang,
                config=f"-c tessedit_create_tsv=1 --psm {int(psm)} --dpi {int(dpi)}"
                + ("" if invert else " -c tessedit_do_invert=0"),
                timeout=timeout_s,
            )
            tsv = (tmp / "out.tsv").read_text(encoding="utf-8", errors="replace")
            pdf_bytes = (tmp / "out.pdf").read_bytes() if pdf else b""
        except pytesseract.TesseractNotFoundError as e:
            raise OcrUnavailable("tesseract is not installed") from e
        except pytesseract.TesseractError as e:
            raise OcrError(f"tesseract failed (status {e.status}): {str(e.message)[:300]}") from e
        except RuntimeError as e:  # pytesseract raises RuntimeError on timeout
            raise OcrError(f"tesseract did not finish within {timeout_s:.0f} s") from e
        except OSError as e:
            raise OcrError(f"tesseract could not run or left no output: {e}") from e
    data = pytesseract.pytesseract.file_to_dict(tsv, "\t", -1)
    text, conf, boxes = _text_from_data(data)
    return OcrResult(text=nfc(text), confidence=round(conf, 1), words=len(boxes), boxes=boxes,
                     pdf=pdf_bytes)
