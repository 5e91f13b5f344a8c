"""Typesetting of petition text onto pages: fonts, roles of lines, word wrap, pagination, drawing.

The layout recognises the parts of an administrative letter from the text itself (motto, date,
title, "Kính gửi", body, signature block), so any text with that shape typesets like a petition and
plain text typesets as body paragraphs. The text of a page is exactly the lines drawn on it.
"""
from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from samplegen.exceptions import FontMissing
from samplegen.petition import MOTTO, MOTTO2, SIGNER

FONT_DIR = Path("/usr/share/fonts/truetype")
# Families with full Vietnamese coverage (Liberation 1.x in liberation/ lacks it; liberation2/ has it).
FONTS: dict[str, tuple[str, str, str]] = {
    "DejaVu Serif": ("dejavu/DejaVuSerif.ttf", "dejavu/DejaVuSerif-Bold.ttf", "dejavu/DejaVuSerif-Italic.ttf"),
    "DejaVu Sans": ("dejavu/DejaVuSans.ttf", "dejavu/DejaVuSans-Bold.ttf", "dejavu/DejaVuSans-Oblique.ttf"),
    "Liberation Serif": ("liberation2/LiberationSerif-Regular.ttf", "liberation2/LiberationSerif-Bold.ttf",
                         "liberation2/LiberationSerif-Italic.ttf"),
    "Liberation Sans": ("liberation2/LiberationSans-Regular.ttf", "liberation2/LiberationSans-Bold.ttf",
                        "liberation2/LiberationSans-Italic.ttf"),
}
STYLES = ("regular", "bold", "italic")
A4_MM = (210.0, 297.0)


@dataclass(frozen=True)
class Line:
    """One drawn line: its text, left x and baseline y in pixels, style, size and justification width."""

    text: str
    x: float
    y: float
    style: str
    size_px: int
    justify_px: float = 0.0  # > 0: stretch the spaces so the line spans this width


@dataclass(frozen=True)
class PageLayout:
    """Lines (and rules) placed on one page of ``width`` x ``height`` pixels."""

    width: int
    height: int
    font: str
    lines: tuple[Line, ...]
    rules: tuple[tuple[float, float, float], ...] = ()  # (x0, x1, y) horizontal strokes

    @property
    def text(self) -> str:
        """Ground truth: the drawn lines joined with newlines."""
        return "\n".join(ln.text for ln in self.lines)


@functools.lru_cache(maxsize=64)
def load_font(family: str, style: str, size_px: int) -> ImageFont.FreeTypeFont:
    """A TrueType font of ``family`` (a key of FONTS) in ``style`` at ``size_px`` pixels."""
    if family not in FONTS:
        raise FontMissing(f"unknown font family {family!r}; choose one of {sorted(FONTS)}")
    path = FONT_DIR / FONTS[family][STYLES.index(style)]
    try:
        return ImageFont.truetype(str(path), size_px)
    except OSError as e:
        raise FontMissing(f"cannot load {path}: {e}") from e


def _wrap(text: str, font: ImageFont.FreeTypeFont, first: float, rest: float) -> list[str]:
    """Greedy word wrap: first line ``first`` px wide, the others ``rest``."""
    words = text.split()
    lines: list[str] = []
    cur = ""
    for w in words:
        cand = f"{cur} {w}" if cur else w
        limit = first if not lines else rest
        if cur and font.getlength(cand) > limit:
            lines.append(cur)
            cur = w
        else:
            cur = cand
    if cur:
        lines.append(cur)
    return lines or [""]


class _Typesetter:
    def __init__(self, *, dpi: int, font: str, size_pt: float, paper_mm: tuple[float, float],
                 margins_mm: tuple[float, float, float, float], justify: bool, spacing: float) -> None:
        mm = dpi / 25.4
        self.dpi, self.family, self.justify = dpi, font, justify
        self.width, self.height = round(paper_mm[0] * mm), round(paper_mm[1] * mm)
        top, bottom, left, right = margins_mm
        self.top, self.bottom = top * mm, self.height - bottom * mm
        self.left, self.right = left * mm, self.width - right * mm
        self.size = max(6, round(size_pt * dpi / 72))
        self.lead = self.size * spacing
        self.indent = 10 * mm
        self.pages: list[PageLayout] = []
        self.lines: list[Line] = []
        self.rules: list[tuple[float, float, float]] = []
        self.y = self.top

    def font(self, style: str, scale: float = 1.0) -> ImageFont.FreeTypeFont:
        return load_font(self.family, style, round(self.size * scale))

    def break_page(self) -> None:
        self.pages.append(PageLayout(self.width, self.height, self.family, tuple(self.lines), tuple(self.rules)))
        self.lines, self.rules, self.y = [], [], self.top

    def need(self, height: float) -> None:
        if self.lines and self.y + height > self.bottom:
            self.break_page()

    def put(self, text: str, *, style: str = "regular", align: str = "left", scale: float = 1.0,
            x0: float | None = None, x1: float | None = None, indent: float = 0.0, hang: float = 0.0,
            justify: bool = False) -> None:
        """Wrap ``text`` between x0 and x1 and place the lines, breaking pages as needed."""
        f = self.font(style, scale)
        x0 = self.left if x0 is None else x0
        x1 = self.right if x1 is None else x1
        lead = self.lead * scale
        wrapped = _wrap(text, f, x1 - x0 - indent, x1 - x0 - hang)
        for i, s in enumerate(wrapped):
            self.need(lead)
            off = indent if i == 0 else hang
            w = f.getlength(s)
            if align == "center":
                x = (x0 + x1 - w) / 2
            elif align == "right":
                x = x1 - w
            else:
                x = x0 + off
            stretch = (x1 - x) if (justify and i < len(wrapped) - 1 and " " in s) else 0.0
            self.y += lead
            self.lines.append(Line(s, x, self.y - lead * 0.28, style, round(self.size * scale), stretch))

    def gap(self, lines: float) -> None:
        self.y += self.lead * lines

    def finish(self) -> list[PageLayout]:
        if self.lines or not self.pages:
            self.break_page()
        return self.pages


def layout_pages(text: str, *, dpi: int = 300, font: str = "DejaVu Serif", size_pt: float = 13.0,
                 paper_mm: tuple[float, float] = A4_MM,
                 margins_mm: tuple[float, float, float, float] = (20.0, 20.0, 30.0, 15.0),
                 justify: bool = False, spacing: float = 1.25) -> list[PageLayout]:
    """Typeset ``text`` (one paragraph per line) on as many pages as needed; margins are top, bottom, left, right."""
    ts = _Typesetter(dpi=dpi, font=font, size_pt=size_pt, paper_mm=paper_mm, margins_mm=margins_mm,
                     justify=justify, spacing=spacing)
    paras = [unicodedata.normalize("NFC", p).strip() for p in text.split("\n")]
    mid = ts.left + (ts.right - ts.left) * 0.72  # centre of the signature column
    half = (ts.right - ts.left) * 0.26
    state = "head"
    for p in paras:
        if not p:
            ts.gap(0.5)
            continue
        if p == MOTTO:
            ts.put(p, style="bold", align="center")
        elif p == MOTTO2:
            ts.put(p, style="bold", align="center")
            w = ts.font("bold").getlength(p)
            cx = (ts.left + ts.right) / 2
            ts.rules.append((cx - w / 2, cx + w / 2, ts.y + ts.lead * 0.05))
            ts.gap(0.4)
        elif p.startswith("Hà Nội, ngày") and state == "head":
            ts.put(p, style="italic", align="right")
            ts.gap(0.6)
        elif state == "head" and p.isupper() and len(p) < 60:
            ts.gap(0.3)
            ts.put(p, style="bold", align="center", scale=1.2)
            state = "title"
        elif p.startswith("(V/v") and state == "title":
            ts.put(p, style="italic", align="center")
        elif p.startswith("Kính gửi") and state in ("head", "title"):
            ts.gap(0.4)
            label = ts.font("bold").getlength("Kính gửi: ")
            x0 = ts.left + 15 * ts.dpi / 25.4
            if p == "Kính gửi:":
                ts.put(p, style="bold", x0=x0)
            else:
                ts.put(p, x0=x0, hang=label)
            state = "recipients"
        elif state == "recipients" and p.startswith("- "):
            ts.put(p, x0=ts.left + 30 * ts.dpi / 25.4, hang=ts.font("regular").getlength("- "))
        elif p == SIGNER:
            ts.need(ts.lead * 6.5)
            ts.gap(0.5)
            ts.put(p, style="bold", align="center", x0=mid - half, x1=mid + half)
            state = "sign"
        elif state == "sign":
            if p.startswith("("):
                ts.put(p, style="italic", align="center", x0=mid - half, x1=mid + half)
            else:
                ts.gap(3.0)  # room for the signature
                ts.put(p, style="bold", align="center", x0=mid - half, x1=mid + half)
        elif p.startswith("Tài liệu kèm theo"):
            ts.put(p, style="bold")
            state = "attach"
        elif state == "attach" and p.startswith("- "):
            ts.put(p, x0=ts.left + ts.indent / 2, hang=ts.font("regular").getlength("- "))
        else:
            if state in ("recipients", "title", "head"):
                ts.gap(0.4)
            state = "body"
            ts.put(p, indent=ts.indent, justify=ts.justify)
    return ts.finish()


def draw_page(page: PageLayout) -> Image.Image:
    """The page as black ink on white (mode L), before any scan effect."""
    img = Image.new("L", (page.width, page.height), 255)
    d = ImageDraw.Draw(img)
    for ln in page.lines:
        f = load_font(page.font, ln.style, ln.size_px)
        if ln.justify_px > 0:
            words = ln.text.split(" ")
            widths = [f.getlength(w) for w in words]
            gap = (ln.justify_px - sum(widths)) / (len(words) - 1)
            x = ln.x
            for w, wd in zip(words, widths, strict=True):
                d.text((x, ln.y), w, font=f, fill=0, anchor="ls")
                x += wd + gap
        else:
            d.text((ln.x, ln.y), ln.text, font=f, fill=0, anchor="ls")
    stroke = max(1, round(page.width / 1240))
    for x0, x1, y in page.rules:
        d.line([(x0, y), (x1, y)], fill=0, width=stroke)
    return img
