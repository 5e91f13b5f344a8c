"""Tesseract adapter: the one place the OCR engine is called.

Tesseract's OpenMP threading is several times slower than one single-threaded process
per core on small machines, so every call runs with ``OMP_THREAD_LIMIT=1`` and the
caller runs one call per core. Pages are read by :class:`Engine`, a Tesseract process kept
running per worker (``_engine.py``): it writes what ``tesseract IMAGE BASE ... tsv pdf``
writes, through the same library call, without the ~80 ms of starting Tesseract and loading
its model for every page. Where libtesseract cannot be loaded, each page runs the
``tesseract`` command through pytesseract as before. Each call has a timeout; a hang or a
crash ends that Tesseract (the next page starts a new one) and fails that page only.
Outside errors are translated once into :class:`edge.exceptions.OcrError`.
"""
from __future__ import annotations

import atexit
import json
import logging
import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytesseract

from edge.exceptions import OcrError, OcrUnavailable
from edge.fingerprint.normalize import nfc

log = logging.getLogger(__name__)

# Set before any tesseract child starts; the children inherit it.
os.environ["OMP_THREAD_LIMIT"] = "1"

ENGINE_SCRIPT = Path(__file__).with_name("_engine.py")
ENGINE_START_TIMEOUT_S = 30.0
# Tesseract's own deadline ends a page cleanly; this much later the process is killed.
ENGINE_KILL_GRACE_S = 5.0
# After an engine could not start, pages run the command for this long before it is tried
# again: a start that timed out under a burst of load should not slow the kiosk for good.
ENGINE_RETRY_S = 600.0


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
    have = {line.strip() for line in out.splitlines()[1:] if line.strip()}  # after the heading
    missing = [code for code in lang.split("+") if code not in have]
    if missing:
        return ProbeResult(
            False, f"tesseract lacks language data {missing} (apt-get install tesseract-ocr-vie)"
        )
    version = pytesseract.get_tesseract_version()
    try:
        Engine(lang).close()
        engine = "kept running between pages"
    except OcrError as e:
        engine = f"started per page ({e.detail})"
    return ProbeResult(True, f"tesseract {version}, languages {sorted(have)}, {engine}")


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


def engine_command(lang: str) -> list[str]:
    """How an engine process is started (the seam where tests put a failing one)."""
    # -I -S: the script alone, without the edge package or site-packages (~15 MB, ~30 ms).
    return [sys.executable, "-I", "-S", str(ENGINE_SCRIPT), lang]


class Engine:
    """One Tesseract process kept running for one language; reads one page at a time."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._buf = b""
        try:
            self.proc = subprocess.Popen(engine_command(lang), stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        except OSError as e:
            raise OcrUnavailable(f"could not start the tesseract engine: {e}") from e
        try:
            hello = self._answer(ENGINE_START_TIMEOUT_S, "start")
        except OcrError as e:
            raise OcrUnavailable(e.detail) from e
        if not hello.get("ready"):
            self.close()
            raise OcrUnavailable(f"tesseract engine did not start: {hello.get('error', '?')}")

    def read(self, image: Path, base: Path, *, psm: int, dpi: int, invert: bool, pdf: bool,
             timeout_s: float) -> None:
        """Write ``base.tsv`` (and ``base.pdf``) for the image file, as the tesseract command would."""
        request = {"image": str(image), "base": str(base), "psm": int(psm), "dpi": int(dpi),
                   "invert": bool(invert), "pdf": bool(pdf), "timeout_ms": int(timeout_s * 1000)}
        try:
            assert self.proc.stdin is not None
            self.proc.stdin.write(json.dumps(request).encode() + b"\n")
            self.proc.stdin.flush()
        except OSError as e:
            self.close()
            raise OcrError(f"tesseract engine is gone: {e}") from e
        reply = self._answer(timeout_s + ENGINE_KILL_GRACE_S, "page")
        if not reply.get("ok"):
            raise OcrError(f"tesseract failed: {str(reply.get('error', '?'))[:300]}")

    def _answer(self, timeout_s: float, what: str) -> dict:
        """The engine's next answer line; a hang or a crash ends the process and raises OcrError."""
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout_s
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                self.close(kill=True)
                raise OcrError(f"tesseract did not finish within {timeout_s:.0f} s ({what})")
            chunk = os.read(fd, 65536)
            if not chunk:
                status = self.close()
                raise OcrError(f"tesseract engine stopped (exit status {status}) during {what}")
            self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        try:
            return json.loads(line)
        except ValueError as e:
            self.close()
            raise OcrError(f"tesseract engine answered garbage: {line[:100]!r}") from e

    def close(self, *, kill: bool = False) -> int | None:
        """End the process (stdin closed, then killed if it does not go); its exit status."""
        proc = self.proc
        if kill:
            proc.kill()
        if proc.stdin is not None and not proc.stdin.closed:
            try:
                proc.stdin.close()
            except OSError:
                pass
        try:
            return proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            proc.kill()
            return proc.wait()


class _Engines:
    """Idle engines by language: a worker takes one for a page and gives it back after."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: dict[str, list[Engine]] = {}
        self._unavailable, self._since = "", 0.0

    @property
    def unavailable(self) -> str:
        """Why the engine cannot run here ('' when it can): pages then use the command, until
        ``ENGINE_RETRY_S`` after it last failed to start."""
        if self._unavailable and time.monotonic() - self._since >= ENGINE_RETRY_S:
            log.info("trying the kept-running Tesseract engine again")
            self._unavailable = ""
        return self._unavailable

    @contextmanager
    def engine(self, lang: str) -> Iterator[Engine]:
        with self._lock:
            idle = self._idle.get(lang)
            eng = idle.pop() if idle else None
        if eng is None:
            eng = Engine(lang)
        try:
            yield eng
        except BaseException:
            eng.close()  # a failed page may leave it in any state: the next page gets a new one
            raise
        with self._lock:
            self._idle.setdefault(lang, []).append(eng)

    def prestart(self, lang: str, count: int) -> None:
        """Start engines up to ``count`` idle ones (their model loads while the agent starts)."""
        if self.unavailable:
            return
        with self._lock:
            missing = count - len(self._idle.get(lang, ()))
        for _ in range(missing):
            try:
                eng = Engine(lang)
            except OcrUnavailable as e:
                self.disable(str(e.detail))
                return
            with self._lock:
                self._idle.setdefault(lang, []).append(eng)

    def disable(self, reason: str) -> None:
        if not self._unavailable:
            log.warning("%s; each page runs the tesseract command instead (~80 ms slower) for %.0f min",
                        reason, ENGINE_RETRY_S / 60)
        self._unavailable, self._since = reason, time.monotonic()

    def close(self) -> None:
        with self._lock:
            engines = [e for idle in self._idle.values() for e in idle]
            self._idle.clear()
        for eng in engines:
            eng.close()


ENGINES = _Engines()
atexit.register(ENGINES.close)


def prestart(lang: str, count: int) -> None:
    """Start ``count`` engines now, so the first pages do not wait for Tesseract to load."""
    ENGINES.prestart(lang, count)


def _run_command(src: Path, base: Path, *, lang: str, psm: int, dpi: int, invert: bool, pdf: bool,
                 timeout_s: float) -> None:
    try:
        pytesseract.pytesseract.run_tesseract(
            str(src), str(base), extension="pdf" if pdf else "tsv", lang=lang,
            config=f"-c tessedit_create_tsv=1 --psm {int(psm)} --dpi {int(dpi)}"
            + ("" if invert else " -c tessedit_do_invert=0"),
            timeout=timeout_s,
        )
    except pytesseract.TesseractNotFoundError as e:
        raise OcrUnavailable("tesseract is not installed") from e
    except pytesseract.TesseractError as e:
        raise OcrError(f"tesseract failed (status {e.status}): {str(e.message)[:300]}") from e
    except RuntimeError as e:  # pytesseract raises RuntimeError on timeout
        raise OcrError(f"tesseract did not finish within {timeout_s:.0f} s") from e


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
    options = {"psm": psm, "dpi": dpi, "invert": invert, "pdf": pdf, "timeout_s": timeout_s}
    with tempfile.TemporaryDirectory(prefix="donthu-ocr-") as tmp_name:
        tmp = Path(tmp_name)
        src = _write_input(image, tmp)
        base = tmp / "out"
        try:
            if not ENGINES.unavailable:
                try:
                    with ENGINES.engine(lang) as eng:
                        eng.read(src, base, **options)
                except OcrUnavailable as e:
                    ENGINES.disable(str(e.detail))
            if ENGINES.unavailable:
                _run_command(src, base, lang=lang, **options)
            tsv = (tmp / "out.tsv").read_text(encoding="utf-8", errors="replace")
            pdf_bytes = (tmp / "out.pdf").read_bytes() if pdf else b""
        except OSError as e:
            raise OcrError(f"tesseract could not run or left no output: {e}") from e
    data = pytesseract.pytesseract.file_to_dict(tsv, "\t", -1)
    text, conf, boxes = _text_from_data(data)
    return OcrResult(text=nfc(text), confidence=round(conf, 1), words=len(boxes), boxes=boxes,
                     pdf=pdf_bytes)
