"""Image file bytes to the uint8 grayscale page every later stage works on."""

from __future__ import annotations

import io
import struct
import warnings
from dataclasses import dataclass

import cv2
import deflate
import numpy as np
from PIL import Image, ImageOps

from edge.exceptions import ImageError
from edge.imaging import _kernels
from edge.imaging.resolution import square_scale

# A 300-dpi scan of an A0 sheet is ~14000 px; anything past this is a broken header, not a page.
MAX_SIDE = 40000
MIN_SIDE = 2
# Luma weights of ITU-R BT.601, the same as Pillow's convert("L").
_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def decode(data: bytes) -> np.ndarray:
    """Decode PNG/JPEG/TIFF/PNM bytes (first frame) into a uint8 grayscale HxW array."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ImageError(f"image data must be bytes, got {type(data).__name__}")
    if len(data) == 0:
        raise ImageError("image data is empty")
    gray = _gray_png(bytes(data))  # the scanner's own format, the fast way
    if gray is not None:
        return gray
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                _check_size(img.size)
                img.load()
                img = ImageOps.exif_transpose(img)
                array = _pil_to_array(img)
    except ImageError:
        raise
    except Exception as e:
        # Pillow's format plugins fail on damaged files with OSError, SyntaxError, struct.error,
        # IndexError, ...; to the kiosk they all mean the same thing: rescan this page.
        raise ImageError(f"cannot decode image ({len(data)} bytes): {type(e).__name__}: {e}") from e
    return to_gray(array)


@dataclass(frozen=True)
class Decoded:
    """A decoded page: its gray pixels, the resolution its file declares, its colour pixels if any."""

    gray: np.ndarray
    dpi: float | None
    rgb: np.ndarray | None = None


def decode_scan(data: bytes, *, colour: bool = False) -> Decoded:
    """Decode like ``decode`` and give the resolution the file declares (None if it says none).

    A page whose two resolutions differ (a fax: 204 x 98 dpi) is resampled to square pixels at
    the higher one first: every later step measures angles and distances in pixels. With
    ``colour``, a colour file's RGB pixels come too.
    """
    rgb = _rgb(data) if colour else None
    gray = decode(data) if rgb is None else to_gray(rgb)
    xdpi, ydpi = declared_dpi(data)
    fx, fy = square_scale(xdpi, ydpi)
    if (fx, fy) != (1.0, 1.0):
        h, w = gray.shape
        size = (max(1, round(w * fx)), max(1, round(h * fy)))
        _check_size(size)
        gray = cv2.resize(gray, size, interpolation=cv2.INTER_CUBIC)
        rgb = None if rgb is None else cv2.resize(rgb, size, interpolation=cv2.INTER_CUBIC)
    top = max(xdpi or 0.0, ydpi or 0.0)
    return Decoded(gray, top or None, rgb)


def _rgb(data: bytes) -> np.ndarray | None:
    """RGB pixels of a colour image file (first frame, EXIF-turned); None for gray or unusual files."""
    raw = bytes(data[:32])
    if raw[:8] == _PNG_SIGNATURE and raw[24:26] in (b"\x08\x00", b"\x10\x00"):
        return None  # a gray PNG (the scanner's own format): the fast gray path
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                if img.mode not in ("RGB", "RGBA", "P", "YCbCr", "CMYK") or img.mode == "P" and \
                        img.palette is not None and img.palette.mode != "RGB":
                    return None
                _check_size(img.size)
                img.load()
                img = ImageOps.exif_transpose(img)
                if img.mode == "RGBA" or "transparency" in img.info:
                    img = img.convert("RGBA")
                    white = Image.new("RGBA", img.size, (255, 255, 255, 255))
                    img = Image.alpha_composite(white, img)
                return np.ascontiguousarray(np.asarray(img.convert("RGB")))
    except Exception:  # the gray decoder reports what is wrong with the file
        return None


def declared_dpi(data: bytes) -> tuple[float | None, float | None]:
    """The (x, y) resolution a PNG, JPEG (JFIF/EXIF) or TIFF header declares; None where absent."""
    raw = bytes(data[:1 << 20])
    if raw[:8] == _PNG_SIGNATURE:
        pos = 8
        while pos + 8 <= len(raw):
            length, kind = struct.unpack(">I4s", raw[pos:pos + 8])
            if kind == b"pHYs" and length == 9 and pos + 17 <= len(raw):
                x, y, unit = struct.unpack(">IIB", raw[pos + 8:pos + 17])
                if unit == 1:  # pixels per metre
                    return x * 0.0254 or None, y * 0.0254 or None
                return None, None
            if kind in (b"IDAT", b"IEND"):
                return None, None  # pHYs comes before the image data
            pos += 12 + length
        return None, None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as img:
                info = dict(img.info)
    except Exception:  # the decoder reports a damaged file; here only the header is asked
        return None, None
    return info_dpi(info)


def info_dpi(info: dict) -> tuple[float | None, float | None]:
    """The (x, y) resolution in a Pillow image's ``info``; None where absent or meaningless (<= 1)."""
    dpi = info.get("dpi")
    try:
        x, y = (float(dpi[0]), float(dpi[1])) if dpi else (0.0, 0.0)
    except (TypeError, ValueError, IndexError):
        return None, None
    return (x if x > 1 else None), (y if y > 1 else None)


def to_gray(image: np.ndarray) -> np.ndarray:
    """Convert HxW, HxWx1, HxWx3 (RGB) or HxWx4 (RGBA on white paper), uint8 or uint16, to uint8 HxW."""
    if not isinstance(image, np.ndarray):
        raise ImageError(f"image must be a numpy array, got {type(image).__name__}")
    if image.dtype not in (np.uint8, np.uint16):
        raise ImageError(f"image dtype must be uint8 or uint16, got {image.dtype}")
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (3, 4)):
        raise ImageError(f"image shape must be HxW, HxWx3 or HxWx4, got {image.shape}")
    _check_size((image.shape[1], image.shape[0]))

    if image.ndim == 2:
        if image.dtype == np.uint8:
            return np.ascontiguousarray(image)
        return _to_uint8(image.astype(np.float32) / 257.0)
    scale = 1.0 if image.dtype == np.uint8 else 1.0 / 257.0
    luma = (image[:, :, :3].astype(np.float32) * scale) @ _LUMA
    if image.shape[2] == 4:
        # Transparent pixels are paper: composite over white.
        alpha = image[:, :, 3].astype(np.float32) * (scale / 255.0)
        luma = luma * alpha + 255.0 * (1.0 - alpha)
    return _to_uint8(luma)


def _to_uint8(values: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)


def _check_size(size: tuple[int, int]) -> None:
    width, height = size
    if min(width, height) < MIN_SIDE:
        raise ImageError(f"image is too small to be a page: {width}x{height} px")
    if max(width, height) > MAX_SIDE:
        raise ImageError(
            f"image is absurdly large: {width}x{height} px (limit {MAX_SIDE} per side)"
        )


def _pil_to_array(img: Image.Image) -> np.ndarray:
    """Bring any Pillow mode to an array ``to_gray`` accepts, without losing 16-bit depth."""
    mode = img.mode
    if mode in ("L", "RGB", "RGBA"):
        return np.asarray(img)
    if mode.startswith("I;16"):
        return np.asarray(img).astype(np.uint16)
    if mode == "I":
        # Pillow opens 16-bit grayscale PNG as 32-bit "I"; values stay within 0..65535.
        return np.clip(np.asarray(img), 0, 65535).astype(np.uint16)
    if mode in ("LA", "PA", "P", "RGBa", "La") or "transparency" in img.info:
        return np.asarray(img.convert("RGBA"))
    if mode in ("1", "F"):
        return np.asarray(img.convert("L"))
    return np.asarray(img.convert("RGB"))


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _gray_png(raw: bytes) -> np.ndarray | None:
    """The scanner's own format (8-bit gray PNG) the fast way; None for anything else.

    Anything unusual (colour, 16-bit, transparency, EXIF orientation, odd sizes, damage) goes
    the Pillow way.
    """
    if raw[:8] != _PNG_SIGNATURE or raw[12:16] != b"IHDR" or len(raw) < 33:
        return None
    width, height, depth, colour = struct.unpack(">IIBB", raw[16:26])
    if depth != 8 or colour != 0 or not MIN_SIDE <= min(width, height) <= max(width, height) <= MAX_SIDE:
        return None
    if width * height > (Image.MAX_IMAGE_PIXELS or MAX_SIDE * MAX_SIDE):  # Pillow's decompression-bomb check says why
        return None
    pos, data = 8, []
    view = memoryview(raw)
    while pos + 8 <= len(raw):  # no tRNS, no eXIf before the image data; the data chunks
        length, kind = struct.unpack(">I4s", raw[pos:pos + 8])
        if kind == b"IDAT":
            data.append(view[pos + 8:pos + 8 + length])
        elif data or kind == b"IEND":
            break  # the data chunks are consecutive
        elif kind in (b"tRNS", b"eXIf"):
            return None
        pos += 12 + length
    if raw[28] == 0 and data:  # not interlaced
        gray = _inflate_gray(b"".join(data), width, height)
        if gray is not None:
            return gray
    gray = cv2.imdecode(np.frombuffer(raw, np.uint8), cv2.IMREAD_GRAYSCALE)
    if gray is None or gray.shape != (height, width):
        return None
    return gray


def _inflate_gray(data: bytes, width: int, height: int) -> np.ndarray | None:
    """Pixels of a non-interlaced 8-bit gray PNG from its joined IDAT data; None if damaged.

    libdeflate inflates the whole page in one call (the output size is known) ~3x faster than
    zlib, and one Numba pass undoes the row filters: ~27 ms a 300-dpi A4 page against ~57 ms
    for OpenCV's libpng, the largest part of the imaging stage's time. The stream's Adler-32
    is checked by libdeflate; a wrong size or filter byte falls back to OpenCV, then Pillow.
    """
    size = (width + 1) * height  # a filter byte, then the row
    try:
        filtered = deflate.zlib_decompress(data, size)
    except deflate.DeflateError:
        return None
    if len(filtered) != size:
        return None
    gray, ok = _kernels.png_unfilter(np.frombuffer(filtered, np.uint8), height, width)
    return gray if ok else None
