"""Page acquisition: the real SANE `test` device through pyinsane2, and the hot folder."""
from __future__ import annotations

import io
import multiprocessing
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from edge.exceptions import CoverOpen, PaperJam, ScannerError, ScannerNotFound, ScannerTimeout
from edge.scanner import AcquiredPage, HotFolder, probe, scan_batch
from edge.scanner._sane_worker import RawPage, ScanSettings, read_pages

SANE_DIR = Path(__file__).resolve().parents[2] / "firmware_config" / "sane"
# 80 × 100 mm at 100 dpi: 315 × 394 px ≈ 124 KB per page — over the 64 KiB at which
# pyinsane2's default (FIFO) mode breaks, yet ten pages scan in a fraction of a second.
AREA = (80.0, 100.0)


def _decode(page: AcquiredPage) -> Image.Image:
    img = Image.open(io.BytesIO(page.image))
    img.load()
    return img


def _no_live_worker() -> bool:
    return not [p for p in multiprocessing.active_children() if p.name == "sane-worker"]


# --- fault-injection readers: module level so they pickle into the spawn worker -------------


def jam_after_three(settings: ScanSettings) -> Iterator[RawPage]:
    """Three real pages from the test device, then the feeder jams."""
    from pyinsane2.sane.rawapi import SaneException, SaneStatus

    for n, page in enumerate(read_pages(settings)):
        if n == 3:
            raise SaneException(SaneStatus(SaneStatus.JAMMED))
        yield page


def device_reports_cover_open(settings: ScanSettings) -> Iterator[RawPage]:
    """Make the real test device itself return SANE_STATUS_COVER_OPEN from sane_read."""
    import pyinsane2

    original_scan = pyinsane2.Scanner.scan

    def scan(self: object, multiple: bool = False) -> object:
        pyinsane2.set_scanner_opt(self, "read-return-value", ["SANE_STATUS_COVER_OPEN"])
        return original_scan(self, multiple)

    pyinsane2.Scanner.scan = scan  # type: ignore[method-assign]
    yield from read_pages(settings)


def crash_after_two(settings: ScanSettings) -> Iterator[RawPage]:
    """Two real pages, then the driver takes the whole worker process down."""
    for n, page in enumerate(read_pages(settings)):
        if n == 2:
            os._exit(3)
        yield page


def hang_after_one(settings: ScanSettings) -> Iterator[RawPage]:
    """One real page, then the scanner stops answering."""
    for page in read_pages(settings):
        yield page
        time.sleep(60)


# --- SANE ----------------------------------------------------------------------------------


def test_probe_finds_the_test_device() -> None:
    result = probe(sane_config_dir=SANE_DIR, timeout_s=20)
    assert result.ok, result.detail
    assert "test:0" in result.devices


def test_probe_reports_a_missing_device_without_raising() -> None:
    result = probe(device="nosuch:0", sane_config_dir=SANE_DIR)
    assert not result.ok
    assert "nosuch:0" in result.detail


def test_adf_batch_yields_ten_pages_at_the_requested_dpi_then_ends() -> None:
    pages = list(scan_batch(dpi=100, area_mm=AREA, sane_config_dir=SANE_DIR, page_timeout_s=30))
    assert [p.index for p in pages] == list(range(10))  # the test feeder empties after 10
    for page in pages:
        assert page.source == "sane:test:0"
        assert page.dpi == 100
        img = _decode(page)
        assert img.format == "PNG" and img.mode == "L"
        width, height = img.size  # 80 mm × 100 mm at 100 dpi = 314.96 × 393.7 px
        assert abs(width - 315) <= 1 and abs(height - 394) <= 1
        assert round(img.info["dpi"][0]) == 100
        lo, hi = img.getextrema()
        assert lo < 50 and hi > 200  # the grid, not a solid page
    assert _no_live_worker()


def test_default_is_300_dpi_gray_and_closing_early_stops_the_worker() -> None:
    batch = scan_batch(sane_config_dir=SANE_DIR, area_mm=(30.0, 30.0))
    first = next(batch)
    assert first.dpi == 300
    img = _decode(first)
    assert img.mode == "L" and img.size == (354, 354)
    batch.close()  # the agent stops reading mid-batch (e.g. the kiosk was cancelled)
    assert _no_live_worker()


def test_flatbed_scan_is_one_page() -> None:
    pages = list(scan_batch(adf=False, dpi=75, area_mm=AREA, sane_config_dir=SANE_DIR))
    assert len(pages) == 1


def test_missing_device_raises_scanner_not_found() -> None:
    with pytest.raises(ScannerNotFound) as err:
        list(scan_batch(device="nosuch:0", sane_config_dir=SANE_DIR))
    assert err.value.message_vi.startswith("Không tìm thấy máy quét")


def test_unsupported_mode_is_a_clear_scanner_error() -> None:
    with pytest.raises(ScannerError, match="cannot scan in mode 'Lineart'"):
        list(scan_batch(mode="Lineart", sane_config_dir=SANE_DIR))


def test_no_device_at_all_raises_scanner_not_found(tmp_path: Path) -> None:
    (tmp_path / "dll.conf").write_text("# no backends\n")
    with pytest.raises(ScannerNotFound, match="no SANE device"):
        list(scan_batch(sane_config_dir=tmp_path))


def test_jam_mid_batch_raises_paper_jam_after_the_pages_before_it() -> None:
    got: list[AcquiredPage] = []
    with pytest.raises(PaperJam, match="SANE_STATUS_JAMMED"):
        for page in scan_batch(dpi=75, area_mm=AREA, sane_config_dir=SANE_DIR, reader=jam_after_three):
            got.append(page)
    assert [p.index for p in got] == [0, 1, 2]
    assert _no_live_worker()


def test_device_status_cover_open_becomes_cover_open() -> None:
    with pytest.raises(CoverOpen):
        list(scan_batch(dpi=75, area_mm=AREA, sane_config_dir=SANE_DIR,
                        reader=device_reports_cover_open))


def test_worker_crash_raises_scanner_error_after_the_pages_before_it() -> None:
    got: list[AcquiredPage] = []
    with pytest.raises(ScannerError, match="died") as err:
        for page in scan_batch(dpi=75, area_mm=AREA, sane_config_dir=SANE_DIR, reader=crash_after_two):
            got.append(page)
    assert type(err.value) is ScannerError
    assert len(got) == 2 and _decode(got[1]).size == (236, 295)


def test_silent_scanner_times_out_and_the_worker_is_killed() -> None:
    got: list[AcquiredPage] = []
    started = time.monotonic()
    with pytest.raises(ScannerTimeout):
        for page in scan_batch(dpi=75, area_mm=AREA, sane_config_dir=SANE_DIR,
                               reader=hang_after_one, page_timeout_s=1.5):
            got.append(page)
    assert len(got) == 1
    assert time.monotonic() - started < 15
    assert _no_live_worker()


# --- hot folder ----------------------------------------------------------------------------

SETTLE = 0.2


def _png_bytes(size: tuple[int, int] = (40, 30), shade: int = 128, dpi: int = 200) -> bytes:
    buf = io.BytesIO()
    Image.new("L", size, shade).save(buf, "PNG", dpi=(dpi, dpi))
    return buf.getvalue()


def _tiff_bytes(frames: int) -> bytes:
    imgs = [Image.new("L", (50 + k, 20), 40 * k) for k in range(frames)]
    buf = io.BytesIO()
    imgs[0].save(buf, "TIFF", save_all=True, append_images=imgs[1:], dpi=(300, 300))
    return buf.getvalue()


def _settled(folder: HotFolder) -> list:
    time.sleep(SETTLE + 0.05)
    return folder.ready()


def test_hot_folder_batches_folders_files_and_multipage_tiffs(tmp_path: Path) -> None:
    doc = tmp_path / "doc-001"
    doc.mkdir()
    for name in ("p02.png", "p01.png", "p03.png"):
        (doc / name).write_bytes(_png_bytes(shade=int(name[2]) * 50))
    (doc / ".hidden.png").write_bytes(b"x")
    (doc / "p04.png.part").write_bytes(b"x")
    (doc / "job.xml").write_text("<job/>")
    (tmp_path / "single.png").write_bytes(_png_bytes())
    (tmp_path / "three.tif").write_bytes(_tiff_bytes(3))
    (tmp_path / "incoming.tmp").write_bytes(b"x")
    (tmp_path / ".DS_Store").write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("not a page")

    folder = HotFolder(tmp_path, settle_s=SETTLE)
    batches = {b.name: b for b in _settled(folder)}
    assert set(batches) == {"doc-001", "single.png", "three.tif"}

    doc_pages = folder.pages(batches["doc-001"])
    assert [Path(p.source).name for p in doc_pages] == ["p01.png", "p02.png", "p03.png"]
    assert [p.index for p in doc_pages] == [0, 1, 2]
    assert doc_pages[1].image == (doc / "p02.png").read_bytes()  # the file's own bytes
    assert doc_pages[0].dpi == 200

    tiff_pages = folder.pages(batches["three.tif"])
    assert len(tiff_pages) == 3
    assert [_decode(p).size for p in tiff_pages] == [(50, 20), (51, 20), (52, 20)]
    assert [_decode(p).getpixel((0, 0)) for p in tiff_pages] == [0, 40, 80]
    assert tiff_pages[2].source.endswith("three.tif#frame=2") and tiff_pages[2].dpi == 300

    assert len(folder.pages(batches["single.png"])) == 1


def test_hot_folder_waits_until_files_stop_changing(tmp_path: Path) -> None:
    folder = HotFolder(tmp_path, settle_s=SETTLE)
    doc = tmp_path / "doc"
    doc.mkdir()
    (doc / "p1.png").write_bytes(_png_bytes())
    assert folder.ready() == []  # just written
    assert [b.name for b in _settled(folder)] == ["doc"]
    (doc / "p2.png.part").write_bytes(b"still uploading")  # the scanner is still sending
    assert folder.ready() == []
    (doc / "p2.png.part").rename(doc / "p2.png")
    assert folder.ready() == []
    [batch] = _settled(folder)
    assert len(folder.pages(batch)) == 2


def test_corrupt_files_are_returned_raw_not_dropped(tmp_path: Path) -> None:
    garbage = b"\xff\xd8\xff\xe0 definitely not a whole jpeg"
    (tmp_path / "bad.jpg").write_bytes(garbage)
    truncated = _tiff_bytes(3)[:-200]
    (tmp_path / "cut.tif").write_bytes(truncated)
    folder = HotFolder(tmp_path, settle_s=SETTLE, default_dpi=300)
    batches = {b.name: b for b in _settled(folder)}
    [bad] = folder.pages(batches["bad.jpg"])
    assert bad.image == garbage and bad.dpi == 300
    [cut] = folder.pages(batches["cut.tif"])  # cannot be split: the whole file, as it is
    assert cut.image == truncated


def test_pdf_of_scanned_pages_yields_its_page_images(tmp_path: Path) -> None:
    imgs = [Image.new("L", (170, 220), 60 * k + 30) for k in range(2)]
    imgs[0].save(tmp_path / "scan.pdf", save_all=True, append_images=imgs[1:], resolution=100)
    folder = HotFolder(tmp_path, settle_s=SETTLE)
    [batch] = _settled(folder)
    pages = folder.pages(batch)
    assert len(pages) == 2
    assert _decode(pages[1]).size == (170, 220) and pages[1].dpi == 100


def test_done_and_failed_move_batches_out_of_the_inbox(tmp_path: Path) -> None:
    doc = tmp_path / "doc"
    doc.mkdir()
    (doc / "p1.png").write_bytes(_png_bytes())
    (tmp_path / "scan0001.png").write_bytes(_png_bytes())
    folder = HotFolder(tmp_path, settle_s=SETTLE)
    batches = {b.name: b for b in _settled(folder)}

    folder.done(batches["doc"])
    folder.failed(batches["scan0001.png"], "OCR failed on page 1")
    assert (tmp_path / ".done" / "doc" / "p1.png").is_file()
    assert (tmp_path / ".failed" / "scan0001.png").is_file()
    assert (tmp_path / ".failed" / "scan0001.png.txt").read_text().strip() == "OCR failed on page 1"
    assert _settled(folder) == []

    # scanners reuse file names; a second failure must not overwrite the first
    (tmp_path / "scan0001.png").write_bytes(_png_bytes(shade=7))
    [again] = _settled(folder)
    folder.failed(again, "second")
    failed = sorted(p.name for p in (tmp_path / ".failed").iterdir())
    assert len([n for n in failed if n.endswith(".png")]) == 2
    assert len([n for n in failed if n.endswith(".txt")]) == 2
