"""A labelled page set for the imaging benchmark: skew, orientation, blank backs, hard content.

Text pages come from real petitions in several fonts and sizes, with stamps, tables, photos and
handwriting-like notes drawn on some, then scanned (noise, blur, JPEG, lid edges) with a known
skew; some are turned 90/180/270 before the scan. Blank backs carry off-white paper, noise, dust
and bleed-through; near-blank pages carry only a short handwritten note or a stamp (not blank).
"""
from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageOps

from samplegen.layout import FONTS, draw_page, layout_pages, load_font
from samplegen.petition import make_petition
from samplegen.scan import draw_params, simulate_scan


@dataclass(frozen=True)
class LabelledPage:
    """One scanned page and what it truly is."""

    name: str
    image: np.ndarray  # uint8 grayscale scan
    skew_degrees: float  # counter-clockwise skew of the paper (PIL Image.rotate sense)
    orientation: int  # clockwise turn (0/90/180/270) that makes the page upright
    blank: bool  # a back with nothing written on it (bleed-through and dust do not count)
    kind: str  # "text", "blank" or "near-blank"
    features: tuple[str, ...]  # extras drawn: stamp, table, photo, note, lid, jpeg
    text: str  # ground truth of the typed lines ("" for blank and near-blank pages)
    straight: np.ndarray | None = None  # the same page scanned with no skew (for OCR comparisons)


def _stamp(d: ImageDraw.ImageDraw, rng: random.Random, cx: float, cy: float, r: float, dpi: int) -> None:
    """A round red office stamp: two rings and a star (red ink scans to mid grey)."""
    tone = rng.randint(95, 140)
    wd = max(2, round(dpi / 100))
    d.ellipse([cx - r, cy - r, cx + r, cy + r], outline=tone, width=wd)
    d.ellipse([cx - 0.72 * r, cy - 0.72 * r, cx + 0.72 * r, cy + 0.72 * r], outline=tone, width=wd)
    pts = [(cx + 0.3 * r * math.cos(math.pi / 2 + k * 4 * math.pi / 5),
            cy - 0.3 * r * math.sin(math.pi / 2 + k * 4 * math.pi / 5)) for k in range(5)]
    d.polygon(pts, fill=tone)
    font = load_font("DejaVu Sans", "bold", max(8, round(r * 0.16)))
    for k, ch in enumerate("UBND PHƯỜNG"):
        a = math.pi * (0.85 - k * 0.07)
        d.text((cx + 0.86 * r * math.cos(a), cy - 0.86 * r * math.sin(a)), ch, font=font, fill=tone,
               anchor="mm")


def _note(d: ImageDraw.ImageDraw, rng: random.Random, x: float, y: float, dpi: int, words: int = 3) -> None:
    """Handwriting-like cursive: loops along a baseline in a ballpoint's blue-grey."""
    tone = rng.randint(40, 100)
    wd = max(2, round(dpi / 120))
    px = dpi / 25.4
    for _ in range(words):
        n = rng.randint(4, 8)
        pts = []
        for i in range(n * 6):
            t = i / 6
            pts.append((x + t * 2.2 * px + math.sin(t * 2 * math.pi) * 0.8 * px,
                        y - (1 + math.cos(t * 2 * math.pi)) * rng.uniform(1.0, 2.2) * px))
        d.line(pts, fill=tone, width=wd, joint="curve")
        x += n * 2.2 * px + 3 * px


def _table(d: ImageDraw.ImageDraw, rng: random.Random, box: tuple[float, float, float, float], dpi: int) -> None:
    x0, y0, x1, y1 = box
    rows, cols = rng.randint(3, 6), rng.randint(2, 5)
    wd = max(1, round(dpi / 150))
    font = load_font("DejaVu Sans", "regular", round(dpi * 0.13))
    for i in range(rows + 1):
        y = y0 + (y1 - y0) * i / rows
        d.line([(x0, y), (x1, y)], fill=20, width=wd)
    for j in range(cols + 1):
        x = x0 + (x1 - x0) * j / cols
        d.line([(x, y0), (x, y1)], fill=20, width=wd)
    for i in range(rows):
        for j in range(cols):
            d.text((x0 + (x1 - x0) * (j + 0.1) / cols, y0 + (y1 - y0) * (i + 0.6) / rows),
                   f"{rng.randint(1, 999)}.{rng.randint(0, 99):02d}", font=font, fill=20, anchor="ls")


def _photo(img: Image.Image, rng: random.Random, box: tuple[int, int, int, int]) -> None:
    """A photocopied photo: smooth random shapes in dark greys."""
    x0, y0, x1, y1 = box
    g = np.random.default_rng(rng.randint(0, 2**31))
    small = g.uniform(20, 200, ((y1 - y0) // 40 + 2, (x1 - x0) // 40 + 2)).astype(np.uint8)
    tex = Image.fromarray(small).resize((x1 - x0, y1 - y0), Image.BICUBIC)
    img.paste(tex.filter(ImageFilter.GaussianBlur(3)), (x0, y0))


def _bleed(rng: random.Random, size: tuple[int, int], dpi: int) -> Image.Image:
    """A blank back showing the mirrored text of the front, faintly."""
    text = make_petition(rng).text
    page = layout_pages(text, dpi=dpi, font=rng.choice(sorted(FONTS)), size_pt=13.0)[0]
    front = ImageOps.mirror(draw_page(page)).resize(size)
    depth = rng.uniform(12, 32)  # grey levels the ink shows through
    arr = 255.0 - (255.0 - np.asarray(front, np.float32)) * depth / 255.0
    return Image.fromarray(arr.astype(np.uint8)).filter(ImageFilter.GaussianBlur(2 * dpi / 300))


def _draw_text_page(rng: random.Random, font: str, dpi: int) -> tuple[Image.Image, list[str], str]:
    """A petition page in ``font`` with some stamps, tables, photos and notes; its typed text."""
    pet = make_petition(rng)
    size = rng.choice((10.0, 11.0, 12.0, 13.0, 14.0, 16.0))
    layout = layout_pages(pet.text, dpi=dpi, font=font, size_pt=size)[0]
    img = draw_page(layout)
    d = ImageDraw.Draw(img)
    feats: list[str] = []
    w, h = img.size
    if rng.random() < 0.3:
        _stamp(d, rng, w * rng.uniform(0.55, 0.8), h * rng.uniform(0.65, 0.85), dpi * 0.7, dpi)
        feats.append("stamp")
    if rng.random() < 0.2:
        _table(d, rng, (w * 0.15, h * 0.78, w * 0.85, h * 0.93), dpi)
        feats.append("table")
    if rng.random() < 0.15:
        _photo(img, rng, (int(w * 0.1), int(h * 0.05), int(w * 0.35), int(h * 0.2)))
        feats.append("photo")
    if rng.random() < 0.25:
        _note(d, rng, w * 0.12, h * 0.96, dpi, words=rng.randint(2, 5))
        feats.append("note")
    return img, feats, layout.text


def build_pageset(*, text_pages: int = 48, rotated: int = 12, blanks: int = 10, near_blanks: int = 6,
                  straight_twins: int = 6, seed: int = 0, dpi: int = 300,
                  max_skew: float = 45.0) -> Iterator[LabelledPage]:
    """Yield the labelled pages, deterministically for a seed."""
    rng = random.Random(seed)
    fonts = sorted(FONTS)
    twins_left = straight_twins
    for i in range(text_pages + rotated):
        img, feats, text = _draw_text_page(rng, fonts[i % len(fonts)], dpi)
        quarter = rng.choice((90, 180, 270)) if i >= text_pages else 0
        if quarter:
            # The paper lies turned counter-clockwise; it takes this clockwise turn to fix it.
            img = img.rotate(quarter, expand=True)
        small_skew = rng.random() < 0.35
        skew = round(rng.uniform(-15, 15) if small_skew else rng.uniform(-max_skew, max_skew), 2)
        noise = rng.choice((0.2, 0.5, 0.5, 0.8, 1.0))
        params = draw_params(random.Random(seed * 7919 + i), noise=noise, skew_degrees=skew,
                             lid_edge=rng.random() < 0.25, jpeg=rng.random() < 0.3)
        feats += ["lid"] * bool(params.lid_edges) + ["jpeg"] * bool(params.jpeg_quality)
        scan = np.asarray(simulate_scan(img, params, seed=seed * 7919 + i, dpi=dpi))
        straight = None
        if twins_left and not quarter and abs(skew) <= 15 and abs(skew) >= 1:
            twins_left -= 1
            straight = np.asarray(simulate_scan(img, replace(params, skew_degrees=0.0),
                                                seed=seed * 7919 + i, dpi=dpi))
        yield LabelledPage(name=f"text-{i:03d}", image=scan, skew_degrees=skew, orientation=quarter,
                           blank=False, kind="text", features=tuple(feats), text=text,
                           straight=straight)
    a4 = (round(210 * dpi / 25.4), round(297 * dpi / 25.4))
    for i in range(blanks + near_blanks):
        near = i >= blanks
        img = _bleed(rng, a4, dpi) if rng.random() < 0.7 else Image.new("L", a4, 255)
        feats = ["bleed"] if img.getextrema()[0] < 255 else []
        if near:
            d = ImageDraw.Draw(img)
            if i % 2:
                _stamp(d, rng, a4[0] * rng.uniform(0.3, 0.7), a4[1] * rng.uniform(0.2, 0.8), dpi * 0.6, dpi)
                feats.append("stamp")
            else:
                _note(d, rng, a4[0] * rng.uniform(0.1, 0.5), a4[1] * rng.uniform(0.1, 0.9), dpi,
                      words=rng.randint(1, 2))
                feats.append("note")
        skew = round(rng.uniform(-5, 5), 2)
        params = draw_params(random.Random(seed * 104729 + i), noise=rng.choice((0.5, 0.8, 1.0)),
                             skew_degrees=skew, lid_edge=rng.random() < 0.3)
        feats += ["lid"] * bool(params.lid_edges)
        scan = np.asarray(simulate_scan(img, params, seed=seed * 104729 + i, dpi=dpi))
        yield LabelledPage(name=f"{'near' if near else 'blank'}-{i:03d}", image=scan, skew_degrees=skew,
                           orientation=0, blank=not near, kind="near-blank" if near else "blank",
                           features=tuple(feats), text="")


def build_ocr_twins(*, count: int = 24, seed: int = 0, dpi: int = 300, max_skew: float = 15.0,
                    min_skew: float = 1.0) -> Iterator[LabelledPage]:
    """Yield upright text pages scanned skewed (min..max degrees either way) with a straight twin.

    Both scans share paper, noise, lid edges and JPEG settings: only the skew differs, so the
    CER difference between them is what the imaging stage has to win back.
    """
    if not 0.0 <= min_skew <= max_skew <= 45.0:
        raise ValueError(f"need 0 <= min_skew <= max_skew <= 45, got {min_skew}, {max_skew}")
    rng = random.Random(seed * 31 + 17)
    fonts = sorted(FONTS)
    for i in range(count):
        img, feats, text = _draw_text_page(rng, fonts[i % len(fonts)], dpi)
        skew = round(rng.choice((-1, 1)) * rng.uniform(min_skew, max_skew), 2)
        noise = rng.choice((0.2, 0.5, 0.5, 0.8, 1.0))
        sseed = seed * 6151 + 1000 + i
        params = draw_params(random.Random(sseed), noise=noise, skew_degrees=skew,
                             lid_edge=rng.random() < 0.3, jpeg=rng.random() < 0.3)
        feats += ["lid"] * bool(params.lid_edges) + ["jpeg"] * bool(params.jpeg_quality)
        scan = np.asarray(simulate_scan(img, params, seed=sseed, dpi=dpi))
        straight = np.asarray(simulate_scan(img, replace(params, skew_degrees=0.0), seed=sseed, dpi=dpi))
        yield LabelledPage(name=f"twin-{i:03d}", image=scan, skew_degrees=skew, orientation=0,
                           blank=False, kind="text", features=tuple(feats), text=text,
                           straight=straight)
