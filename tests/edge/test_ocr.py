"""Tesseract adapter: one run gives text, word boxes and a searchable PDF; crashes and hangs
become clear per-page errors (faults injected by swapping the engine process, or the tesseract
executable where the engine cannot run)."""
from __future__ import annotations

import io
import logging
import time

import numpy as np
import pytesseract
import pytest
from PIL import Image
from pypdf import PdfReader

from edge.exceptions import OcrError
from edge.ocr import probe, recognize, tesseract
from tests.edge.test_pipeline import page_png

REAL_COMMAND = tesseract.engine_command


def gray_page() -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(page_png(0.0))).convert("L"))


def test_probe_finds_vietnamese():
    assert probe(lang="vie").ok


def test_one_run_gives_text_boxes_and_searchable_pdf():
    page = gray_page()
    binary = np.where(page > 128, 255, 0).astype(np.uint8)
    res = recognize(binary, dpi=200, pdf=True)
    assert "Ủy ban nhân dân phường Cửa Nam" in res.text
    assert res.confidence > 80 and res.words == len(res.boxes) > 40
    box = next(b for b in res.boxes if b.text == "Hàng")
    assert box.width > 0 and box.height > 0 and 0 <= box.left < page.shape[1]
    pdf = PdfReader(io.BytesIO(res.pdf))
    assert len(pdf.pages) == 1
    assert "Cửa Nam" in pdf.pages[0].extract_text()
    assert len(res.pdf) < 150_000  # a two-level page is embedded as CCITT G4
    assert abs(float(pdf.pages[0].mediabox.width) - page.shape[1] / 200 * 72) < 1  # at its dpi


def test_skipping_the_inverted_text_check_reads_the_same():
    binary = np.where(gray_page() > 128, 255, 0).astype(np.uint8)
    assert recognize(binary, dpi=200, invert=False).text == recognize(binary, dpi=200).text


@pytest.mark.parametrize("width", [8, 13, 2481])
def test_two_level_page_reaches_tesseract_pixel_for_pixel(tmp_path, width):
    from edge.ocr.tesseract import _write_input

    page = np.where(np.random.default_rng(width).random((37, width)) < 0.3, 0, 255).astype(np.uint8)
    path = _write_input(page, tmp_path)
    assert path.suffix == ".pbm"
    assert np.array_equal(np.asarray(Image.open(path).convert("L")), page)
    rows = np.frombuffer(path.read_bytes()[-37 * ((width + 7) // 8):], np.uint8).reshape(37, -1)
    assert not (rows[:, -1] & (0xFF >> (width % 8 or 8))).any()  # row padding bits are 0


@pytest.fixture
def engines(monkeypatch):
    """A fresh engine pool for the test, its processes ended after it."""
    pool = tesseract._Engines()
    monkeypatch.setattr(tesseract, "ENGINES", pool)
    yield pool
    pool.close()


@pytest.fixture
def fake_engine(tmp_path, monkeypatch, engines):
    """Put a shell script where the engine process is started (the adapter's seam)."""
    def install(body: str) -> None:
        exe = tmp_path / "engine"
        exe.write_text("#!/bin/sh\n" + body + "\n")
        exe.chmod(0o755)
        monkeypatch.setattr(tesseract, "engine_command", lambda lang: [str(exe)])
    return install


@pytest.fixture
def fake_tesseract(tmp_path, monkeypatch):
    def install(body: str) -> None:
        exe = tmp_path / "tesseract"
        exe.write_text("#!/bin/sh\n" + body + "\n")
        exe.chmod(0o755)
        monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", str(exe))
    return install


READY = """echo '{"ready": true}'"""


def test_engine_writes_what_the_tesseract_command_writes(tmp_path, engines):
    binary = np.where(gray_page() > 128, 255, 0).astype(np.uint8)
    src = tesseract._write_input(binary, tmp_path)
    options = {"psm": 3, "dpi": 200, "invert": False, "pdf": True, "timeout_s": 60}
    tesseract._run_command(src, tmp_path / "cli", lang="vie", **options)
    with engines.engine("vie") as eng:
        for _ in range(2):  # the second page read by the same process comes out the same
            eng.read(src, tmp_path / "eng", **options)
            assert (tmp_path / "eng.tsv").read_text() == (tmp_path / "cli.tsv").read_text()
            assert PdfReader(tmp_path / "eng.pdf").pages[0].extract_text() == \
                PdfReader(tmp_path / "cli.pdf").pages[0].extract_text()


def test_hanging_tesseract_is_stopped_at_the_timeout(fake_engine, monkeypatch):
    monkeypatch.setattr(tesseract, "ENGINE_KILL_GRACE_S", 0.5)
    fake_engine(READY + "\nexec sleep 30")
    start = time.monotonic()
    with pytest.raises(OcrError) as e:
        recognize(gray_page(), timeout_s=1.0)
    assert time.monotonic() - start < 10
    assert "did not finish" in e.value.detail and e.value.message_vi


def test_crashing_tesseract_fails_that_page_and_the_next_page_gets_a_new_one(
        fake_engine, monkeypatch, engines):
    fake_engine(READY + "\nread line\nkill -ABRT $$")
    with pytest.raises(OcrError) as e:
        recognize(gray_page(), timeout_s=20)
    assert e.value.code == "ocr_failed" and "stopped" in e.value.detail
    monkeypatch.setattr(tesseract, "engine_command", REAL_COMMAND)
    assert "Cửa Nam" in recognize(gray_page(), dpi=200, timeout_s=60).text
    assert not engines.unavailable


def test_without_the_engine_each_page_runs_the_tesseract_command(fake_engine, engines, caplog, monkeypatch):
    fake_engine("""echo '{"ready": false, "error": "no libtesseract.so.5"}'""")
    assert "Cửa Nam" in recognize(gray_page(), dpi=200, timeout_s=60).text
    assert "libtesseract" in engines.unavailable
    assert "tesseract command instead" in caplog.text
    # A while later the engine is tried again (a start may have failed under a burst of load).
    caplog.set_level(logging.INFO, logger="edge.ocr.tesseract")
    monkeypatch.setattr(tesseract, "ENGINE_RETRY_S", 0.0)
    monkeypatch.setattr(tesseract, "engine_command", REAL_COMMAND)
    assert "Cửa Nam" in recognize(gray_page(), dpi=200, timeout_s=60).text
    assert not engines.unavailable and "trying the kept-running" in caplog.text


def test_hanging_tesseract_command_is_stopped_at_the_timeout(fake_engine, fake_tesseract):
    fake_engine("exit 1")  # no engine here: pages go through the command
    fake_tesseract("sleep 30")
    start = time.monotonic()
    with pytest.raises(OcrError) as e:
        recognize(gray_page(), timeout_s=1.0)
    assert time.monotonic() - start < 10
    assert "did not finish" in e.value.detail and e.value.message_vi


def test_crashing_tesseract_command_is_a_clear_error(fake_engine, fake_tesseract):
    fake_engine("exit 1")
    fake_tesseract("kill -ABRT $$")
    with pytest.raises(OcrError) as e:
        recognize(gray_page(), timeout_s=20)
    assert e.value.code == "ocr_failed"
