"""Scan simulation: paper tone, skew, blur, sensor noise, specks, scanner-lid edges, JPEG artefacts.

Skew follows PIL's convention: ``Image.rotate(a)`` turns the paper ``a`` degrees counter-clockwise,
and that page reports ``skew_degrees == a``.
"""
from __future__ import annotations

import io
import random
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from samplegen.exceptions import BadParameter

SIDES = ("left", "right", "top", "bottom")


@dataclass(frozen=True)
class ScanParams:
    """Everything that makes one scanned page look the way it does."""

    skew_degrees: float = 0.0
    expand: bool = False
    paper_tone: int = 246  # 255 is pure white
    paper_shading: float = 3.0  # amplitude of slow paper/light unevenness, grey levels
    ink_tone: int = 25
    blur_sigma: float = 0.0  # pixels at the page's dpi
    noise_sigma: float = 0.0  # grey levels
    specks: float = 0.0  # dark specks per million pixels
    lid_edges: tuple[str, ...] = ()  # sides with a dark scanner-lid band
    lid_width: float = 0.02  # fraction of the page dimension
    white_point: float | None = None  # scanner auto-levels: grey >= this becomes white
    jpeg_quality: int | None = None


def draw_params(rng: random.Random, *, noise: float, skew_degrees: float = 0.0,
                lid_edge: bool | tuple[str, ...] | None = None, jpeg: bool | None = None,
                expand: bool = False) -> ScanParams:
    """Random scan parameters at a ``noise`` level (0 = clean, 0.5 = typical kiosk, 1 = poor)."""
    if noise < 0:
        raise BadParameter(f"noise must be >= 0, got {noise}")
    if lid_edge is None:
        lid_edge = rng.random() < 0.25 * min(noise * 2, 1.0)
    if lid_edge is True:
        lid = tuple(rng.sample(SIDES, rng.choice((1, 1, 2))))
    elif lid_edge is False:
        lid = ()
    else:
        bad = [s for s in lid_edge if s not in SIDES]
        if bad:
            raise BadParameter(f"lid_edge sides must be among {SIDES}, got {bad}")
        lid = tuple(lid_edge)
    if jpeg is None:
        jpeg = rng.random() < 0.4 * min(noise, 1.0)
    tone = rng.randint(238, 252) if noise > 0 else 250
    shading = rng.uniform(1.0, 6.0) * min(noise * 2, 1.5)
    sigma = rng.uniform(3.0, 10.0) * noise
    # Most scanners auto-level so that paper comes out white; some deliver the raw grey.
    clip = noise > 0 and rng.random() < 0.75
    return ScanParams(
        skew_degrees=float(skew_degrees), expand=expand, paper_tone=tone, paper_shading=shading,
        ink_tone=rng.randint(15, 55),
        blur_sigma=rng.uniform(0.2, 0.9) * noise,
        noise_sigma=sigma,
        specks=rng.uniform(5, 40) * noise,
        lid_edges=lid, lid_width=rng.uniform(0.006, 0.03),
        white_point=tone - shading - 1.5 * sigma if clip else None,
        jpeg_quality=rng.randint(35, 80) if jpeg else None,
    )


def rotate(arr: np.ndarray, degrees: float, *, expand: bool = False, fill: float = 255.0) -> np.ndarray:
    """Rotate counter-clockwise about the centre like PIL's ``Image.rotate`` (bicubic), but multi-threaded."""
    h, w = arr.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2 - 0.5, h / 2 - 0.5), degrees, 1.0)
    nw, nh = w, h
    if expand:
        corners = np.array([[0, 0, 1], [w, 0, 1], [0, h, 1], [w, h, 1]], dtype=np.float64) @ m.T
        nw = int(np.ceil(corners[:, 0].max()) - np.floor(corners[:, 0].min()))
        nh = int(np.ceil(corners[:, 1].max()) - np.floor(corners[:, 1].min()))
        m[0, 2] += (nw - w) / 2
        m[1, 2] += (nh - h) / 2
    return cv2.warpAffine(arr, m, (nw, nh), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT,
                          borderValue=float(fill))


def simulate_scan(page: Image.Image, params: ScanParams, *, seed: int = 0, dpi: int = 300) -> Image.Image:
    """Turn a clean black-on-white page (mode L) into a scan-like grayscale image."""
    g = np.random.default_rng(seed)
    arr = np.asarray(page.convert("L"), dtype=np.float32)  # 255 = paper, 0 = ink
    h, w = arr.shape
    ink = float(params.ink_tone)
    if params.paper_shading > 0:
        low = g.standard_normal((6, 4)).astype(np.float32) * params.paper_shading
        # Smooth shading: cubic to 1/8 size, then cheap linear to full size.
        mid = cv2.resize(low, (max(1, w // 8), max(1, h // 8)), interpolation=cv2.INTER_CUBIC)
        paper = cv2.resize(mid, (w, h), interpolation=cv2.INTER_LINEAR)
        paper += params.paper_tone - ink
        paper *= 1.0 / 255.0
        arr *= paper
    else:
        arr *= (params.paper_tone - ink) / 255.0
    arr += ink

    lid_tone = g.integers(20, 70)
    if params.skew_degrees:
        # Outside the paper the scanner sees its lid: white lid backing, or dark when the lid edge shows.
        fill = int(lid_tone) if params.lid_edges else min(255, params.paper_tone + 4)
        arr = rotate(arr, params.skew_degrees, expand=params.expand, fill=fill)
    h, w = arr.shape

    for side in params.lid_edges:
        size = h if side in ("top", "bottom") else w
        band = max(2, int(size * params.lid_width))
        ramp = np.linspace(0.0, 1.0, band, dtype=np.float32) ** 2  # dark at the border, fading inwards
        if side == "left":
            arr[:, :band] = lid_tone + (arr[:, :band] - lid_tone) * ramp[None, :]
        elif side == "right":
            arr[:, -band:] = lid_tone + (arr[:, -band:] - lid_tone) * ramp[::-1][None, :]
        elif side == "top":
            arr[:band, :] = lid_tone + (arr[:band, :] - lid_tone) * ramp[:, None]
        else:
            arr[-band:, :] = lid_tone + (arr[-band:, :] - lid_tone) * ramp[::-1][:, None]

    if params.blur_sigma > 0.05:
        arr = cv2.GaussianBlur(arr, (0, 0), params.blur_sigma * dpi / 300)
    if params.noise_sigma > 0:
        noise = g.standard_normal(arr.shape, dtype=np.float32)
        noise *= params.noise_sigma
        arr += noise
    n = int(params.specks * h * w / 1e6)
    if n:
        ys = g.integers(0, h - 2, n)
        xs = g.integers(0, w - 2, n)
        tone = g.integers(0, 90, n).astype(np.float32)
        big = g.random(n) < 0.3  # some specks are 2x2 dust, most single pixels
        arr[ys, xs] = tone
        arr[ys[big] + 1, xs[big]] = tone[big]
        arr[ys[big], xs[big] + 1] = tone[big]
        arr[ys[big] + 1, xs[big] + 1] = tone[big]
        salt = n // 4
        arr[g.integers(0, h, salt), g.integers(0, w, salt)] = 255.0
    if params.white_point:
        arr *= 255.0 / params.white_point
    np.clip(arr, 0, 255, out=arr)
    out = Image.fromarray(arr.astype(np.uint8), "L")

    if params.jpeg_quality:
        buf = io.BytesIO()
        out.save(buf, format="JPEG", quality=params.jpeg_quality)
        buf.seek(0)
        out = Image.open(buf).convert("L")
        out.load()
    return out
