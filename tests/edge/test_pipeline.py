from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from edge import imaging
from edge.pipeline import (
    Page,
    PageFailed,
    PipelineContext,
    decode,
    fingerprint_document,
    process_page,
)

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
LINES = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "ĐƠN KIẾN NGHỊ",
    "Kính gửi: Ủy ban nhân dân phường Cửa Nam",
    "Tôi tên là Trần Thị Bích Ngọc, số CCCD 001190034567.",
    "Tôi đề nghị phường xử lý việc lấn chiếm vỉa hè",
    "trước số nhà 45 phố Hàng Bài gây ùn tắc giao thông.",
]


def page_png(angle: float = 0.0, *, dpi: int = 200) -> bytes:
    scale = dpi / 300
    img = Image.new("L", (int(2480 * scale), int(3508 * scale)), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, int(42 * scale))
    for i, line in enumerate(LINES * 2):
        draw.text((int(220 * scale), int((260 + i * 95) * scale)), line, font=font, fill=0)
    if angle:
        img = img.rotate(angle, fillcolor=255)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


@pytest.mark.parametrize("angle", [0.0, 4.0, -9.0])
def test_page_is_straightened_and_read(angle):
    res = process_page(page_png(angle), source="p.png", ctx=PipelineContext(dpi=200))
    assert isinstance(res, Page)
    assert res.skew_degrees == pytest.approx(angle, abs=0.2)
    assert "Ủy ban nhân dân phường Cửa Nam" in res.text
    assert "001190034567" in res.text
    assert res.archive_mime == "image/jpeg" and len(res.archive) > 1000
    assert set(res.timings_ms) >= {"decode", "prepare", "ocr", "archive", "total"}
    assert res.imaging["orientation"] == 0 and not res.blank
    assert len(res.pdf) > 1000 and res.archive_mime == "image/jpeg"


def test_decoded_page_lets_the_scan_bytes_go():
    png = page_png(0.0)
    page = decode(Page(source="p.png", raw=png), PipelineContext(dpi=200))
    assert page.raw == b"" and page.gray is not None  # not carried through OCR, megabytes a page
    res = process_page(png, source="p.png", ctx=PipelineContext(dpi=200, pdf=False))
    assert res.raw == b"" and res.scan_sha256 == hashlib.sha256(png).hexdigest()


@pytest.mark.parametrize("turn", [90, 180, 270])
def test_turned_page_is_set_upright_and_read(turn):
    res = process_page(page_png(float(turn)), source="p.png", ctx=PipelineContext(dpi=200))
    assert res.imaging["orientation"] == turn
    assert "Ủy ban nhân dân phường Cửa Nam" in res.text


def test_blank_back_is_flagged_not_read():
    blank = Image.new("L", (1654, 2339), 250)
    buf = io.BytesIO()
    blank.save(buf, format="PNG")
    res = process_page(buf.getvalue(), source="back.png", ctx=PipelineContext(dpi=200))
    assert res.blank and "blank" in res.flags and res.text == ""


def test_corrupt_image_is_a_clear_per_page_failure():
    res = process_page(b"\x89PNG\r\n\x1a\n truncated", source="bad.png", ctx=PipelineContext())
    assert isinstance(res, PageFailed)
    assert res.code == "image_invalid" and res.message_vi


def test_document_fingerprint_and_identity_keys():
    printed = fingerprint_document(["Số CCCD: 001190034567", "Điện thoại 0987 654 321"])
    assert printed.identity_keys == ("cccd:001190034567", "phone:+84987654321")
    assert printed.fingerprint.version >= 1 and len(printed.fingerprint.minhash) == 128


def test_cli_process_json_reports_each_page_in_order(tmp_path):
    good = tmp_path / "good.png"
    good.write_bytes(page_png(6.0))
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"not an image at all")
    out = subprocess.run([sys.executable, "-m", "edge", "process", "--json", str(good), str(bad)],
                         capture_output=True, text=True, timeout=300)
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [line["source"] for line in lines] == [str(good), str(bad)]
    assert lines[0]["skew_degrees"] == pytest.approx(6.0, abs=0.2)
    assert "Hàng Bài" in lines[0]["text"] and lines[0]["timings_ms"]["ocr"] > 0
    assert set(lines[0]["imaging"]) >= {"skew_degrees", "skew_confidence", "orientation",
                                        "crop_box", "blank", "timings_ms"}
    assert lines[1]["error"] == "image_invalid"
    assert out.returncode == 1  # one page failed, the other was processed


def _encoded(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def test_scanner_png_decodes_to_the_same_pixels_by_every_path():
    """8-bit gray PNG takes the OpenCV fast path; colour, alpha, 16-bit and JPEG go through
    imaging.decode. Either way the page is the same."""
    gray = Image.open(io.BytesIO(page_png(3.0, dpi=100)))
    rgb = Image.merge("RGB", (gray, gray.point(lambda v: v // 2), gray))
    with_alpha = gray.convert("LA")
    transparent = gray.copy()
    transparent.info["transparency"] = 255
    wide = Image.fromarray(np.asarray(gray).astype(np.uint16) * 257)
    sources = [_encoded(gray, "PNG", compress_level=3), _encoded(rgb, "PNG"),
               _encoded(with_alpha, "PNG"), _encoded(transparent, "PNG", transparency=255),
               _encoded(wide, "PNG"), _encoded(gray, "JPEG", quality=90)]
    ctx = PipelineContext(dpi=100)
    for raw in sources:
        page = decode(Page(source="p", raw=raw), ctx)
        assert page.gray.dtype == np.uint8 and page.gray.flags.c_contiguous
        assert np.array_equal(page.gray, imaging.decode(raw))


def test_warm_up_loads_every_kernel_a_page_needs():
    """After warm-up the first page compiles or loads nothing (a fresh interpreter, as at boot)."""
    script = """
import numba
from edge.imaging import _kernels
from edge.pipeline import PipelineContext, process_page, warm_up
from tests.edge.test_pipeline import page_png
warm_up(PipelineContext())
def sigs():
    return {n: list(map(str, f.signatures)) for n, f in vars(_kernels).items()
            if isinstance(f, numba.core.dispatcher.Dispatcher)}
before = sigs()
process_page(page_png(5.0), source="p.png", ctx=PipelineContext(dpi=200, pdf=False))
import gc
print(sum(map(len, before.values())), before == sigs(), gc.get_freeze_count())
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    loaded, unchanged, frozen = out.stdout.split() or ("0", "False", "0")
    assert int(loaded) >= 4 and unchanged == "True", out.stderr[-2000:]
    # The kernels' long-lived objects are out of the collector's way (exit took ~0.2 s more).
    assert int(frozen) > 10_000


@pytest.mark.slow
def test_a_handwritten_page_is_flagged_and_print_is_not():
    from PIL import Image

    from tests.bench.bench_handwriting import page_for

    gray, dpi = page_for({"kind": "hand", "font": "Kristi", "seed": 3, "dpi": 200, "noise": 0.5,
                          "jitter": 1.0})  # a held-out hand of the detector's fit
    buf = io.BytesIO()
    Image.fromarray(gray).save(buf, "PNG", dpi=(dpi, dpi))
    hand = process_page(buf.getvalue(), source="hand.png", ctx=PipelineContext(dpi=200, pdf=False))
    typed = process_page(page_png(0.0), source="typed.png", ctx=PipelineContext(dpi=200, pdf=False))
    assert "handwritten" in hand.flags
    assert "handwritten" not in typed.flags
