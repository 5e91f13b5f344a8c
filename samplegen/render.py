"""Text to scanned page images: typeset, draw, then simulate the scanner."""
from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image

from samplegen.exceptions import BadParameter
from samplegen.layout import A4_MM, draw_page, layout_pages
from samplegen.scan import ScanParams, draw_params, simulate_scan


@dataclass(frozen=True)
class RenderedPage:
    """One scanned page with its ground truth."""

    image: Image.Image
    text: str  # the drawn lines joined with "\n"
    skew_degrees: float
    params: ScanParams


def render_document(text: str, *, dpi: int = 300, font: str = "DejaVu Serif", size_pt: float = 13.0,
                    skew_degrees: float | Sequence[float] = 0.0, noise: float = 0.5,
                    lid_edge: bool | tuple[str, ...] | None = False, seed: int = 0,
                    jpeg: bool | None = None, justify: bool = False, spacing: float = 1.25,
                    expand: bool = False, paper_mm: tuple[float, float] = A4_MM) -> list[RenderedPage]:
    """Typeset ``text`` on pages and scan each; ``skew_degrees`` may give one angle per page."""
    if not 50 <= dpi <= 1200:
        raise BadParameter(f"dpi must be between 50 and 1200, got {dpi}")
    if not 6 <= size_pt <= 30:
        raise BadParameter(f"font size must be between 6 and 30 pt, got {size_pt}")
    pages = layout_pages(text, dpi=dpi, font=font, size_pt=size_pt, paper_mm=paper_mm, justify=justify,
                         spacing=spacing)
    out = []
    for i, page in enumerate(pages):
        if isinstance(skew_degrees, int | float):
            skew = float(skew_degrees)
        else:
            skews = list(skew_degrees)
            skew = float(skews[i] if i < len(skews) else skews[-1])
        page_seed = seed * 1000 + i
        params = draw_params(random.Random(page_seed), noise=noise, skew_degrees=skew,
                             lid_edge=lid_edge, jpeg=jpeg, expand=expand)
        img = simulate_scan(draw_page(page), params, seed=page_seed, dpi=dpi)
        out.append(RenderedPage(image=img, text=page.text, skew_degrees=skew, params=params))
    return out


def render_pages(text: str, *, dpi: int = 300, font: str = "DejaVu Serif",
                 skew_degrees: float | Sequence[float] = 0.0, noise: float = 0.5,
                 lid_edge: bool | tuple[str, ...] | None = False, seed: int = 0,
                 size_pt: float = 13.0) -> list[Image.Image]:
    """Scanned grayscale page images of ``text``; each image's ``info["text"]`` holds its ground truth."""
    pages = render_document(text, dpi=dpi, font=font, size_pt=size_pt, skew_degrees=skew_degrees,
                            noise=noise, lid_edge=lid_edge, seed=seed)
    for p in pages:
        p.image.info["text"] = p.text
        p.image.info["skew_degrees"] = p.skew_degrees
    return [p.image for p in pages]
