"""Colour on confirmed copies: a red ward seal and a blue ballpoint signature across the text.

Inks multiply the light like real ink (a stamp over print darkens it, it never hides it under
a colour): each layer is a transmittance ``1 - alpha·(1 - ink/255)`` per channel. The colour
scan then gets blur, per-channel sensor noise and optionally JPEG, as ``scan.simulate_scan``
does in grayscale.
"""
from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from samplegen.layout import FONT_DIR, FONTS

SEAL_RED = (205, 35, 50)  # cinnabar stamp ink over white paper
BALLPOINT_BLUE = (35, 55, 165)
PAPER_RGB = (247, 244, 236)  # slightly warm office paper


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_DIR / FONTS["DejaVu Sans"][1]), size)


def seal_alpha(diameter: int, *, text: str, rng: random.Random) -> np.ndarray:
    """Ink coverage (0..1) of a round seal: two rings, the office's name around, a star inside."""
    n = diameter
    img = Image.new("L", (n, n), 0)
    d = ImageDraw.Draw(img)
    ring = max(2, n // 45)
    d.ellipse((ring, ring, n - ring, n - ring), outline=255, width=ring)
    inner = int(n * 0.2)
    d.ellipse((inner, inner, n - inner, n - inner), outline=255, width=max(1, ring // 2))
    size = max(8, int(n * 0.075))
    font = _font(size)
    radius = n / 2 - ring * 2 - size * 0.75
    chars = list(text)
    span = 300.0  # degrees of the circle the text covers, centred at the top
    for i, ch in enumerate(chars):
        ang = math.radians(-90 - span / 2 + span * (i + 0.5) / len(chars))
        glyph = Image.new("L", (size * 2, size * 2), 0)
        ImageDraw.Draw(glyph).text((size, size), ch, font=font, fill=255, anchor="mm")
        glyph = glyph.rotate(-math.degrees(ang) - 90, resample=Image.BICUBIC)
        x = n / 2 + radius * math.cos(ang) - size
        y = n / 2 + radius * math.sin(ang) - size
        img.paste(255, (int(x), int(y)), glyph)
    r_out, r_in = n * 0.16, n * 0.065
    star = [(n / 2 + (r_out if k % 2 == 0 else r_in) * math.cos(math.radians(-90 + 36 * k)),
             n / 2 + (r_out if k % 2 == 0 else r_in) * math.sin(math.radians(-90 + 36 * k)))
            for k in range(10)]
    d.polygon(star, fill=255)
    alpha = np.asarray(img, np.float32) / 255.0
    # Uneven pressure: the pad leaves more ink on one side and speckled gaps elsewhere.
    yy, xx = np.mgrid[0:n, 0:n].astype(np.float32) / n
    tilt = rng.uniform(0, 2 * math.pi)
    pressure = 0.88 + 0.12 * np.cos(tilt) * (xx - 0.5) * 2 + 0.12 * np.sin(tilt) * (yy - 0.5) * 2
    grain = np.random.default_rng(rng.randrange(2**32)).uniform(0.7, 1.0, (n, n)).astype(np.float32)
    return np.clip(alpha * pressure * grain * rng.uniform(0.75, 0.95), 0, 1)


def signature_alpha(width: int, height: int, *, rng: random.Random, pen_px: int) -> np.ndarray:
    """Ink coverage (0..1) of a ballpoint scribble: a few looping strokes and an underline."""
    img = Image.new("L", (width, height), 0)
    d = ImageDraw.Draw(img)
    for _stroke in range(rng.randint(2, 3)):
        x, y = rng.uniform(0.05, 0.2) * width, rng.uniform(0.3, 0.7) * height
        pts = []
        phase = rng.uniform(0, 2 * math.pi)
        loops = rng.uniform(3, 7)
        for k in range(200):
            t = k / 199
            pts.append((x + t * width * rng.uniform(0.55, 0.8) / 0.7 * 0.7,
                        y + math.sin(phase + t * loops * 2 * math.pi) * height * 0.3
                        + math.cos(t * 3.1) * height * 0.1))
        d.line(pts, fill=255, width=pen_px, joint="curve")
    y0 = rng.uniform(0.75, 0.9) * height
    d.line([(0.05 * width, y0), (0.95 * width, y0 - rng.uniform(-0.1, 0.1) * height)], fill=255, width=pen_px)
    alpha = cv2.GaussianBlur(np.asarray(img, np.float32) / 255.0, (0, 0), max(0.5, pen_px / 4))
    return np.clip(alpha * rng.uniform(0.8, 1.0), 0, 1)


def _multiply(rgb: np.ndarray, alpha: np.ndarray, ink: tuple[int, int, int], x: int, y: int) -> None:
    """Multiply an ink layer into ``rgb`` (float32, 0..255) with its top-left corner at (x, y)."""
    h, w = alpha.shape
    H, W = rgb.shape[:2]
    x0, y0, x1, y1 = max(0, x), max(0, y), min(W, x + w), min(H, y + h)
    if x1 <= x0 or y1 <= y0:
        return
    a = alpha[y0 - y:y1 - y, x0 - x:x1 - x, None]
    absorb = 1.0 - np.asarray(ink, np.float32) / 255.0
    rgb[y0:y1, x0:x1] *= 1.0 - a * absorb


@dataclass(frozen=True)
class ConfirmedCopy:
    """A colour scan (uint8 RGB) and where its seal and signature are (x0, y0, x1, y1 pixels)."""

    rgb: np.ndarray
    seal_box: tuple[int, int, int, int] | None
    signature_box: tuple[int, int, int, int] | None


def confirm_copy(page: Image.Image | np.ndarray, *, seed: int, dpi: int, seal: bool = True,
                 signature: bool = True, ward: str = "PHƯỜNG CỬA NAM", noise: float = 0.5,
                 jpeg: bool = False) -> ConfirmedCopy:
    """A clean black-on-white page (mode L) as the colour scan of a confirmed copy.

    The seal (~40 mm) sits over the page's text at a random place in its lower half, the
    signature (~60 mm) across the text beside it, as a ward officer stamps and signs.
    """
    rng = random.Random(seed)
    gray = np.asarray(page, np.float32) / 255.0
    h, w = gray.shape
    rgb = gray[:, :, None] * np.asarray(PAPER_RGB, np.float32)[None, None, :]
    mm = dpi / 25.4
    seal_box = sig_box = None
    # Both are drawn from the generator in the same order whether or not they are applied, so a
    # page with and without a seal has its signature in the same place.
    n = int(40 * mm)
    seal_a = seal_alpha(n, text=f"ỦY BAN NHÂN DÂN {ward} * HÀ NỘI *", rng=rng)
    sx, sy = int(rng.uniform(0.15, 0.55) * w), int(rng.uniform(0.3, 0.6) * h)
    sw, sh = int(60 * mm), int(18 * mm)
    sig_a = signature_alpha(sw, sh, rng=rng, pen_px=max(1, round(0.45 * mm)))
    gx, gy = int(rng.uniform(0.3, 0.6) * w), int(rng.uniform(0.35, 0.65) * h)
    if seal:
        _multiply(rgb, seal_a, SEAL_RED, sx, sy)
        seal_box = (sx, sy, min(w, sx + n), min(h, sy + n))
    if signature:
        _multiply(rgb, sig_a, BALLPOINT_BLUE, gx, gy)
        sig_box = (gx, gy, min(w, gx + sw), min(h, gy + sh))
    g = np.random.default_rng(seed)
    if noise > 0:
        rgb = cv2.GaussianBlur(rgb, (0, 0), 0.3 + 0.5 * noise * dpi / 300)
        rgb += g.standard_normal(rgb.shape, dtype=np.float32) * (4.0 * noise)
    out = np.clip(np.rint(rgb), 0, 255).astype(np.uint8)
    if jpeg:
        buf = io.BytesIO()
        Image.fromarray(out, "RGB").save(buf, format="JPEG", quality=75)
        out = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))
    return ConfirmedCopy(rgb=out, seal_box=seal_box, signature_box=sig_box)
