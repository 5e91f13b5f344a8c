"""Imaging stage: decoding, skew estimation on rendered Vietnamese text pages, rotation, deskew."""

from __future__ import annotations

import importlib
import io
import struct
import zlib
from functools import cache

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from edge.exceptions import ImageError
from edge.imaging import (
    DeskewResult,
    SkewEstimate,
    _kernels,
    _reference,
    decode,
    deskew,
    estimate_skew,
    rotate,
    to_gray,
)
from edge.imaging import skew as skew_module

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
LINES = (
    "Tôi tên là Nguyễn Văn An, đề nghị Ủy ban nhân dân phường xem xét giải quyết",
    "việc lấn chiếm lối đi chung tại ngõ 12 phố Hàng Bông, quận Hoàn Kiếm.",
    "Kính gửi: Ủy ban nhân dân quận và Ban tiếp công dân thành phố Hà Nội.",
    "Gia đình tôi đã nhiều lần phản ánh nhưng đến nay chưa được trả lời.",
)
ANGLES = (0.0, 0.3, -0.3, 2.5, 7.0, -7.0, 15.0, -15.0, 30.0, -30.0, 44.0, -44.0)
TOLERANCE = 0.15


@cache
def text_page(width: int, height: int, size: int, lines: int = 0) -> Image.Image:
    """A white page of left-aligned Vietnamese text lines (all that fit, or ``lines`` of them)."""
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(FONT, size)
    margin = width // 12
    y, i = margin, 0
    while y + 2 * size < height - margin and (lines == 0 or i < lines):
        text = LINES[i % len(LINES)]
        while draw.textlength(text, font=font) > width - 2 * margin:
            text = text.rsplit(" ", 1)[0]
        draw.text((margin, y), text, font=font, fill=0)
        y += int(size * 1.6)
        i += 1
    return page


def tilted(page: Image.Image, angle: float, *, fill: int = 255) -> np.ndarray:
    """The page rotated counter-clockwise by ``angle`` the PIL way, canvas expanded."""
    return np.asarray(page.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=fill))


def with_dark_bands(gray: np.ndarray) -> np.ndarray:
    """Add what a scanner lid and a shadow leave: dark bands at the left and bottom, one inside."""
    out = gray.copy()
    h, w = out.shape
    out[:, : w // 25] = 25
    out[h - h // 30 :, :] = 40
    out[h // 80 : h // 80 + h // 60, w // 10 : w - w // 10] = 60  # shadow not touching the edge
    return out


def encode(array: np.ndarray, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format=fmt, **params)
    return buffer.getvalue()


# --- skew estimation -------------------------------------------------------------------------


@pytest.mark.parametrize("angle", ANGLES)
@pytest.mark.parametrize("size", [18, 40])
def test_estimate_skew_recovers_known_rotation(size: int, angle: float) -> None:
    gray = tilted(text_page(1240, 1754, size), angle)
    estimate = estimate_skew(gray)
    assert isinstance(estimate, SkewEstimate)
    assert abs(estimate.angle_degrees - angle) <= TOLERANCE
    assert estimate.confidence > 0.5


@pytest.mark.parametrize("angle", [0.3, -7.0, 15.0, -30.0, 44.0])
def test_dark_borders_do_not_pull_the_estimate_to_zero(angle: float) -> None:
    gray = with_dark_bands(tilted(text_page(1240, 1754, 30), angle))
    assert abs(estimate_skew(gray).angle_degrees - angle) <= TOLERANCE


@pytest.mark.parametrize("angle", [-0.3, 7.0, -44.0])
def test_black_rotation_fill_is_ignored(angle: float) -> None:
    # A skewed sheet on a black scanner lid: the corners outside the sheet are black.
    gray = tilted(text_page(1240, 1754, 30), angle, fill=0)
    assert abs(estimate_skew(gray).angle_degrees - angle) <= TOLERANCE


@pytest.mark.parametrize("angle", [44.8, -44.8, 45.0])
def test_skew_next_to_45_degrees_is_found_across_the_seam(angle: float) -> None:
    # At ±45 the two line directions meet; the answer may come back from either side.
    estimate = estimate_skew(tilted(text_page(1240, 1754, 30), angle))
    assert abs((estimate.angle_degrees - angle + 45.0) % 90.0 - 45.0) <= TOLERANCE
    assert abs(estimate.angle_degrees) <= 45.0


def test_a_few_lines_of_text_are_enough() -> None:
    gray = tilted(text_page(1240, 1754, 30, lines=3), -15.0)
    estimate = estimate_skew(gray)
    assert abs(estimate.angle_degrees + 15.0) <= TOLERANCE
    assert estimate.confidence > 0.3


@pytest.mark.slow
@pytest.mark.parametrize("angle", [0.3, -7.0, 30.0, -44.0])
def test_a4_at_300_dpi(angle: float) -> None:
    gray = tilted(text_page(2480, 3508, 40), angle)
    assert abs(estimate_skew(gray).angle_degrees - angle) <= TOLERANCE


def test_blank_pages_report_zero_with_low_confidence() -> None:
    rng = np.random.default_rng(7)
    white = np.full((1754, 1240), 255, np.uint8)
    noisy = np.clip(rng.normal(235, 4, white.shape), 0, 255).astype(np.uint8)
    lid = with_dark_bands(white)
    for page in (white, noisy, lid):
        estimate = estimate_skew(page)
        assert estimate.confidence < 0.1
        assert estimate.angle_degrees == 0.0


def test_pictures_get_low_confidence() -> None:
    rng = np.random.default_rng(3)
    blobs = np.full((1200, 900), 255, np.uint8)
    yy, xx = np.mgrid[0:1200, 0:900]
    for _ in range(60):
        cx, cy, r = rng.uniform(50, 850), rng.uniform(50, 1150), rng.uniform(3, 12)
        blobs[(xx - cx) ** 2 + (yy - cy) ** 2 < r * r] = 20
    assert estimate_skew(blobs).confidence < 0.15


def test_max_angle_limits_the_search() -> None:
    gray = tilted(text_page(1240, 1754, 30), 7.0)
    assert abs(estimate_skew(gray, max_angle=3.0).angle_degrees) <= 3.0
    with pytest.raises(ImageError):
        estimate_skew(gray, max_angle=60.0)


@pytest.mark.parametrize(
    "bad",
    [
        np.zeros((10, 10), np.float32),
        np.zeros((10, 10, 3), np.uint8),
        np.zeros((1, 100), np.uint8),
        [[0, 1], [2, 3]],
    ],
)
def test_estimate_skew_rejects_non_pages(bad: object) -> None:
    with pytest.raises(ImageError) as info:
        estimate_skew(bad)  # type: ignore[arg-type]
    assert info.value.code == "image_invalid"
    assert info.value.message_vi


# --- kernel vs reference ---------------------------------------------------------------------


def test_kernel_agrees_with_reference_on_random_points() -> None:
    rng = np.random.default_rng(11)
    xs = rng.uniform(-300, 300, 4000).astype(np.float32)
    ys = rng.uniform(-400, 400, 4000).astype(np.float32)
    ws = rng.uniform(0, 255, 4000).astype(np.float32)
    angles = np.linspace(-45, 45, 31)
    extent = float(np.hypot(300, 400)) + 2
    fast = _kernels.projection_energies(xs, ys, ws, angles, extent)
    slow = _reference.projection_energies(xs, ys, ws, angles, extent)
    np.testing.assert_allclose(fast, slow, rtol=1e-9)


def test_kernel_and_reference_give_the_same_estimate() -> None:
    gray = tilted(text_page(1240, 1754, 30), -7.0)
    fast = skew_module._estimate(gray, max_angle=45.0, energies=_kernels.projection_energies)
    slow = skew_module._estimate(gray, max_angle=45.0, energies=_reference.projection_energies)
    assert fast.angle_degrees == pytest.approx(slow.angle_degrees, abs=1e-3)
    assert fast.confidence == pytest.approx(slow.confidence, abs=1e-3)


# --- rotation and deskew ---------------------------------------------------------------------


def corner_marks(height: int = 300, width: int = 200) -> np.ndarray:
    """White page with a black 6x6 square in each corner and a cross in the middle."""
    page = np.full((height, width), 255, np.uint8)
    for y in (0, height - 6):
        for x in (0, width - 6):
            page[y : y + 6, x : x + 6] = 0
    page[height // 2 - 1 : height // 2 + 2, width // 4 : 3 * width // 4] = 0
    page[height // 4 : 3 * height // 4, width // 2 - 1 : width // 2 + 2] = 0
    return page


@pytest.mark.parametrize("angle", [0.3, -7.0, 30.0, 45.0, -44.0, 90.0, 123.0])
def test_rotate_keeps_all_ink_and_expands_like_pil(angle: float) -> None:
    page = corner_marks()
    out = rotate(page, angle)
    reference = Image.fromarray(page).rotate(angle, expand=True, fillcolor=255)
    assert out.dtype == np.uint8
    assert abs(out.shape[0] - reference.height) <= 1 and abs(out.shape[1] - reference.width) <= 1
    ink_in = float(np.sum(255 - page.astype(np.float64)))
    ink_out = float(np.sum(255 - out.astype(np.float64)))
    assert ink_out == pytest.approx(ink_in, rel=0.02)
    # The corner squares are not clipped: as many dark pixels come out as went in.
    assert (out < 128).sum() >= 0.9 * (page < 128).sum()


def test_rotate_accepts_views() -> None:
    page = corner_marks()[::-1, ::2]  # negative and non-unit strides
    assert rotate(page, 12.5).dtype == np.uint8
    assert isinstance(estimate_skew(page), SkewEstimate)


def test_rotate_follows_the_pil_direction() -> None:
    gray = tilted(text_page(1240, 1754, 30), 0.0)
    ours = rotate(gray, 7.0)
    assert abs(estimate_skew(ours).angle_degrees - 7.0) <= TOLERANCE


def test_rotate_rejects_bad_input() -> None:
    with pytest.raises(ImageError):
        rotate(np.zeros((5, 5), np.int32), 3.0)
    with pytest.raises(ImageError):
        rotate(np.zeros((5, 5), np.uint8), float("nan"))


def test_deskew_straightens_a_tilted_page() -> None:
    gray = tilted(text_page(1240, 1754, 30), -7.0)
    result = deskew(gray)
    assert isinstance(result, DeskewResult)
    assert result.applied
    assert abs(result.estimate.angle_degrees + 7.0) <= TOLERANCE
    assert abs(estimate_skew(result.image).angle_degrees) <= TOLERANCE


def test_deskew_leaves_blank_and_unsure_pages_alone() -> None:
    blank = np.full((800, 600), 250, np.uint8)
    result = deskew(blank)
    assert not result.applied
    assert result.image is blank
    tilted_page = tilted(text_page(1240, 1754, 30), 7.0)
    assert not deskew(tilted_page, min_confidence=1.01).applied


# --- decoding --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "params"),
    [
        ("PNG", {}),
        ("JPEG", {"quality": 95}),
        ("TIFF", {}),
        ("TIFF", {"compression": "group4"}),
        ("PPM", {}),
        ("BMP", {}),
    ],
)
def test_decode_common_formats(fmt: str, params: dict) -> None:
    page = corner_marks()
    if fmt == "TIFF" and params.get("compression") == "group4":
        data = io.BytesIO()
        Image.fromarray(page).convert("1").save(data, format="TIFF", compression="group4")
        payload = data.getvalue()
    else:
        payload = encode(page, fmt, **params)
    gray = decode(payload)
    assert gray.dtype == np.uint8 and gray.shape == page.shape
    assert np.abs(gray.astype(int) - page).mean() < 3


def test_decode_color_sixteen_bit_and_transparency() -> None:
    rgb = np.zeros((40, 50, 3), np.uint8)
    rgb[..., 0] = 255  # pure red
    assert decode(encode(rgb, "PNG"))[0, 0] == 76  # BT.601 luma, like Pillow
    deep = np.full((40, 50), 65535, np.uint16)
    deep[10:20] = 0
    gray = decode(encode(deep, "PNG"))
    assert gray[0, 0] == 255 and gray[15, 0] == 0
    rgba = np.zeros((40, 50, 4), np.uint8)  # fully transparent black: that is white paper
    rgba[10:20, :, 3] = 255
    gray = decode(encode(rgba, "PNG"))
    assert gray[0, 0] == 255 and gray[15, 0] == 0


def test_decode_gray_png_fast_way_matches_pillow() -> None:
    page = corner_marks()
    assert np.array_equal(decode(encode(page, "PNG")), page)  # the scanner's format, through OpenCV
    # A gray PNG with a transparent shade is not the scanner's: it is read the Pillow way.
    data = io.BytesIO()
    Image.fromarray(page).save(data, format="PNG", transparency=int(page[0, 0]))
    with Image.open(io.BytesIO(data.getvalue())) as img:
        assert np.array_equal(decode(data.getvalue()), np.asarray(img.convert("L")))


def gray_png(pixels: np.ndarray, rows: bytes, *, chunk: int = 1 << 30) -> bytes:
    """An 8-bit gray PNG of ``pixels`` whose image data are ``rows`` (filter bytes and rows),
    deflated and cut into IDAT chunks of ``chunk`` bytes."""
    def part(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    height, width = pixels.shape
    data = zlib.compress(rows)
    idat = b"".join(part(b"IDAT", data[i:i + chunk]) for i in range(0, len(data), chunk))
    return (b"\x89PNG\r\n\x1a\n" + part(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + idat + part(b"IEND", b""))


def test_png_unfilter_kernel_agrees_with_reference() -> None:
    rng = np.random.default_rng(7)
    height, width = 40, 37
    data = rng.integers(0, 256, (height, width + 1), dtype=np.uint8)
    data[:, 0] = np.arange(height) % 5  # every filter type, after each of the others
    data[-1, :] = 0
    fast, ok = _kernels.png_unfilter(data.ravel(), height, width)
    slow, ok_slow = _reference.png_unfilter(data.ravel(), height, width)
    assert ok and ok_slow and np.array_equal(fast, slow)
    data[5, 0] = 5  # no such filter
    assert not _kernels.png_unfilter(data.ravel(), height, width)[1]
    assert not _reference.png_unfilter(data.ravel(), height, width)[1]


def test_decode_gray_png_of_every_filter_and_chunking(monkeypatch: pytest.MonkeyPatch) -> None:
    """Scans as Pillow writes them (all five row filters), split into many IDAT chunks, read
    the same as Pillow reads them, and by the fast way alone."""
    decode_module = importlib.import_module("edge.imaging.decode")  # the package names a function so
    monkeypatch.setattr(decode_module.cv2, "imdecode", None)
    monkeypatch.setattr(decode_module.Image, "open", None)
    page = np.asarray(text_page(300, 200, 14))
    noisy = np.clip(page.astype(int) + np.random.default_rng(3).integers(-40, 40, page.shape), 0, 255)
    for pixels in (page, noisy.astype(np.uint8)):
        for level in (1, 3, 9):
            data = encode(pixels, "PNG", compress_level=level)
            assert np.array_equal(decode(data), pixels)
        rows = bytearray()
        for y, row in enumerate(pixels):  # by hand, a filter byte per row: decoded by the reference
            rows += bytes([y % 5]) + row.tobytes()
        expected, _ = _reference.png_unfilter(np.frombuffer(bytes(rows), np.uint8), *pixels.shape)
        assert np.array_equal(decode(gray_png(expected, bytes(rows), chunk=999)), expected)


def test_decode_damaged_gray_png_is_refused_not_misread() -> None:
    pixels = np.asarray(text_page(300, 200, 14))
    rows = b"".join(b"\x00" + row.tobytes() for row in pixels)
    bad_filter = bytearray(rows)
    bad_filter[0] = 9
    short = rows[: len(rows) - 50]
    for data in (gray_png(pixels, bytes(bad_filter)), gray_png(pixels, short)):
        with pytest.raises(ImageError):
            decode(data)
    good = bytearray(gray_png(pixels, rows))
    good[200] ^= 0xFF  # a flipped byte inside the compressed data
    with pytest.raises(ImageError):
        decode(bytes(good))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares a size and holds no pixels: enough for a header check."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (
        b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))
    )


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not an image at all",
        encode(corner_marks(), "PNG")[:200],  # truncated download
        encode(np.zeros((1, 1), np.uint8), "PNG"),
        png_header_only(50000, 10),
        png_header_only(30000, 30000),
    ],
    ids=["empty", "garbage", "truncated", "one-pixel", "absurd-side", "bomb"],
)
def test_decode_rejects_broken_input(data: bytes) -> None:
    with pytest.raises(ImageError) as info:
        decode(data)
    assert info.value.code == "image_invalid"


def test_to_gray_shapes_and_dtypes() -> None:
    assert to_gray(np.full((4, 5, 1), 9, np.uint8)).shape == (4, 5)
    assert to_gray(np.full((4, 5), 65535, np.uint16)).max() == 255
    assert to_gray(np.full((4, 5, 3), 257 * 100, np.uint16))[0, 0] == 100
    for bad in (
        np.zeros((4, 5), np.float64),
        np.zeros((4, 5, 2), np.uint8),
        np.zeros((4,), np.uint8),
    ):
        with pytest.raises(ImageError):
            to_gray(bad)
