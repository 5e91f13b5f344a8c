"""Handwritten-looking petition pages: Vietnamese text written out in handwriting fonts with jitter.

Each character is drawn on its own, with a wandering baseline, its own size and a little space
of its own; each line has its own slant; the page gets a pen width (ink thickness). Debian's
handwriting fonts mostly lack Vietnamese letters (only Seto has them all), so where a font has
no glyph for a letter its base letter is drawn from the font and the marks (breve, circumflex,
horn, the five tones, the bar of đ) are drawn as short pen strokes, as a hand adds them after
the letter. With ``jitter=0`` and an ordinary font the same code typesets a plain typed page.
"""
from __future__ import annotations

import functools
import math
import random
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from samplegen.exceptions import FontMissing

A4_MM = (210.0, 297.0)

# Handwriting fonts of Debian packages (scripts/install.sh --test) and ordinary typed ones.
HAND_FONTS: dict[str, str] = {
    "Seto": "/usr/share/fonts/truetype/seto/setofont.ttf",  # fonts-seto: all Vietnamese glyphs
    "DKG": "/usr/share/fonts/truetype/fifthhorseman/dkg.ttf",  # fonts-dkg-handwriting
    "Breip": "/usr/share/fonts/truetype/breip/Breip.ttf",  # fonts-breip
    "Dancing Script": "/usr/share/fonts/opentype/dancingscript/DancingScript-Regular.otf",
    "Kristi": "/usr/share/fonts/truetype/kristi/Kristi.ttf",
    "Femke Klaver": "/usr/share/fonts/truetype/femkeklaver/femkeklaver.ttf",
    "Steve Hand": "/usr/share/fonts/truetype/sjfonts/SteveHand.ttf",  # fonts-sjfonts
    "Klee One": "/usr/share/fonts/truetype/klee/KleeOne-Regular.ttf",
    "Purisa": "/usr/share/fonts/opentype/tlwg/Purisa.otf",  # fonts-tlwg-purisa-otf
    "Humor Sans": "/usr/share/fonts/truetype/humor-sans/Humor-Sans.ttf",
}
TYPED_FONTS: dict[str, str] = {
    "Andika": "/usr/share/fonts/truetype/andika/Andika-Regular.ttf",  # fonts-sil-andika
    "DejaVu Serif": "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "Liberation Sans": "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
}

_MARKS = {"\u0300": "grave", "\u0301": "acute", "\u0303": "tilde", "\u0309": "hook", "\u0323": "dot",
          "\u0302": "circumflex", "\u0306": "breve", "\u031b": "horn"}


@dataclass(frozen=True)
class HandPage:
    """A written page (mode L, black ink on white, before any scan effect) and its text."""

    image: Image.Image
    text: str


@functools.lru_cache(maxsize=256)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype(path, size)
    except OSError as e:
        raise FontMissing(f"cannot load {path}: {e}") from e


@functools.lru_cache(maxsize=32)
def _cmap(path: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(path, fontNumber=0, lazy=True).getBestCmap())


def _strokes(d: ImageDraw.ImageDraw, marks: list[str], box: tuple[float, float, float, float],
             size: int, pen: int, rng: random.Random) -> None:
    """Draw diacritic marks as pen strokes about a base letter's box (x0, top, x1, baseline)."""
    x0, top, x1, base = box
    cx = (x0 + x1) / 2 + rng.uniform(-0.05, 0.05) * size
    u = size * rng.uniform(0.9, 1.1)
    y = top - 0.08 * u  # marks stack upwards from here
    for m in marks:
        if m == "dot":
            r = max(pen * 0.8, 0.05 * u)
            yy = base + 0.14 * u
            d.ellipse((cx - r, yy - r, cx + r, yy + r), fill=0)
        elif m == "horn":
            d.line([(x1 - 0.05 * u, top + 0.12 * u), (x1 + 0.12 * u, top - 0.02 * u)], fill=0, width=pen)
        elif m == "circumflex":
            d.line([(cx - 0.16 * u, y), (cx, y - 0.17 * u), (cx + 0.16 * u, y)], fill=0, width=pen, joint="curve")
            y -= 0.22 * u
        elif m == "breve":
            d.arc((cx - 0.15 * u, y - 0.2 * u, cx + 0.15 * u, y), 10, 170, fill=0, width=pen)
            y -= 0.22 * u
        elif m == "acute":
            d.line([(cx - 0.06 * u, y), (cx + 0.12 * u, y - 0.2 * u)], fill=0, width=pen)
        elif m == "grave":
            d.line([(cx + 0.06 * u, y), (cx - 0.12 * u, y - 0.2 * u)], fill=0, width=pen)
        elif m == "tilde":
            pts = [(cx - 0.17 * u + 0.34 * u * k / 8, y - 0.08 * u - 0.06 * u * math.sin(k / 8 * 2 * math.pi))
                   for k in range(9)]
            d.line(pts, fill=0, width=pen, joint="curve")
        elif m == "hook":
            d.arc((cx - 0.08 * u, y - 0.24 * u, cx + 0.1 * u, y - 0.08 * u), 180, 90, fill=0, width=pen)
            d.line([(cx + 0.01 * u, y - 0.08 * u), (cx + 0.01 * u, y - 0.02 * u)], fill=0, width=pen)


def _write_char(d: ImageDraw.ImageDraw, ch: str, x: float, y: float, path: str, size: int, pen: int,
                rng: random.Random) -> float:
    """Draw one character with its baseline at (x, y); its advance in pixels."""
    f = _font(path, size)
    have = _cmap(path)
    if ord(ch) in have or ch.isspace():
        d.text((x, y), ch, font=f, fill=0, anchor="ls")
        return f.getlength(ch)
    decomposed = unicodedata.normalize("NFD", ch)
    base, marks = decomposed[0], [_MARKS[c] for c in decomposed[1:] if c in _MARKS]
    bar = base in "đĐ"
    if bar:
        base = "d" if base == "đ" else "D"
    if ord(base) not in have:  # a symbol the hand would not write: a plain stand-in
        base = "?" if ord("?") in have else " "
    # Precomposed with only the vowel-shaping marks if the font has that (e.g. â, ê, ô).
    shaped = unicodedata.normalize("NFC", base + "".join(c for c in decomposed[1:] if c in "\u0302\u0306"))
    if len(shaped) == 1 and ord(shaped) in have and shaped != base:
        base, marks = shaped, [m for m in marks if m not in ("circumflex", "breve")]
    d.text((x, y), base, font=f, fill=0, anchor="ls")
    bx0, by0, bx1, by1 = d.textbbox((x, y), base, font=f, anchor="ls")
    if bar:
        yy = by0 + (y - by0) * 0.3 if base == "d" else by0 + (y - by0) * 0.5
        xs = (bx1 - 0.45 * (bx1 - bx0), bx1 + 0.1 * size) if base == "d" else (bx0 - 0.08 * size, bx0 + 0.35 * (bx1 - bx0))
        d.line([(xs[0], yy), (xs[1], yy)], fill=0, width=pen)
    top = min(by0, y - 0.5 * size) if base.islower() else by0
    _strokes(d, marks, (bx0, top, bx1, y), size, pen, rng)
    return f.getlength(base) + (0.08 * size if "horn" in marks else 0.0)


def _flush(img: Image.Image, row: Image.Image, y: float, shear: float, base_y: float) -> None:
    """Slant a written line (a shear about its baseline) and lay its ink on the page at ``y``."""
    if shear:
        row = row.transform(row.size, Image.AFFINE, (1, shear, -shear * base_y, 0, 1, 0),
                            resample=Image.BILINEAR, fillcolor=255)
    img.paste(Image.new("L", row.size, 0), (0, int(y - base_y)), Image.eval(row, lambda v: 255 - v))


def write_page(text: str, *, font: str, dpi: int = 200, seed: int = 0, jitter: float = 1.0,
               size_pt: float | None = None, paper_mm: tuple[float, float] = A4_MM) -> HandPage:
    """Write ``text`` on one page in ``font`` (a key of HAND_FONTS or TYPED_FONTS); what fits.

    ``jitter`` scales every irregularity of the hand (0: typeset, 1: a careful hand, 2: a hurried one).
    """
    path = HAND_FONTS.get(font) or TYPED_FONTS.get(font)
    if path is None:
        raise FontMissing(f"unknown font {font!r}; choose one of {sorted(HAND_FONTS) + sorted(TYPED_FONTS)}")
    if not Path(path).exists():
        raise FontMissing(f"font file {path} is missing (bash scripts/install.sh --test)")
    rng = random.Random(seed)
    mm = dpi / 25.4
    width, height = round(paper_mm[0] * mm), round(paper_mm[1] * mm)
    img = Image.new("L", (width, height), 255)
    size_pt = size_pt or (rng.uniform(14, 18) if jitter else 13.0)
    size = round(size_pt * dpi / 72)
    lead = size * (rng.uniform(1.5, 1.9) if jitter else 1.3)
    left, right = rng.uniform(18, 30) * mm, width - rng.uniform(12, 20) * mm
    pen = max(1, round(size * rng.uniform(0.03, 0.07))) if jitter else 1
    y = rng.uniform(18, 26) * mm + size
    lines: list[str] = []
    paras = [unicodedata.normalize("NFC", p).strip() for p in text.split("\n") if p.strip()]
    for para in paras:
        words = para.split()
        x = left + (rng.uniform(8, 15) * mm if jitter else 10 * mm)
        line: list[str] = []
        wobble = 0.0
        slant = rng.gauss(0.12, 0.08) * jitter  # shear of this line (x shift per pixel above baseline)
        row_img = Image.new("L", (width, int(lead * 2)), 255)
        rd = ImageDraw.Draw(row_img)
        base_y = lead * 1.3

        for w in words:
            wlen = _font(path, size).getlength(w + " ")
            if line and x + wlen > right:
                _flush(img, row_img, y, slant, base_y)
                lines.append(" ".join(line))
                line, x, y = [], left + rng.uniform(-1, 1) * mm * jitter, y + lead * (1 + rng.uniform(-0.05, 0.05) * jitter)
                row_img = Image.new("L", (width, int(lead * 2)), 255)
                rd = ImageDraw.Draw(row_img)
                slant = rng.gauss(0.12, 0.08) * jitter
                wobble = 0.0
                if y > height - 20 * mm:
                    break
            for ch in w + " ":
                wobble = 0.85 * wobble + rng.gauss(0, 0.03 * size * jitter)
                s = max(6, round(size * (1 + rng.gauss(0, 0.06 * jitter))))
                adv = _write_char(rd, ch, x, base_y + wobble, path, s, pen, rng)
                x += adv * (1 + rng.gauss(0, 0.05 * jitter)) + (rng.uniform(0, 0.05) * size * jitter if ch == " " else 0)
            line.append(w)
        if y > height - 20 * mm:
            break
        _flush(img, row_img, y, slant, base_y)
        if line:
            lines.append(" ".join(line))
        y += lead * (1 + rng.uniform(0.0, 0.3) * jitter)
        if y > height - 20 * mm:
            break
    if jitter and pen > 1:  # ink thickness: a ballpoint's line is wider than the font's outline
        img = img.filter(ImageFilter.MinFilter(3))
    return HandPage(image=img, text="\n".join(lines))


def page_array(page: HandPage) -> np.ndarray:
    """The written page as a uint8 array (255 paper, 0 ink)."""
    return np.asarray(page.image, np.uint8)
