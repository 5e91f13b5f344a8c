"""Handwriting flag: fit and check its threshold on print and handwriting-font pages.

    python -m tests.bench.bench_handwriting [--pages N] [--seed S]

Print pages are samplegen petitions in the project's four print fonts; handwritten ones are the
same kind of text in the handwriting fonts Debian ships (Dancing Script, Kaushan Script, DKG
Handwriting, Ecolier, Kristi, Purisa, Steve Hand), lines wavering, in ballpoint blue turned gray,
both through samplegen's scan simulator (noise 0.3-1.0) at 200 dpi and read by the page pipeline.
Poor copies of print (blur 1.5-3.5 px, JPEG q10-30) are in the set too: they read as poorly as
handwriting and must not be flagged. Prints each page's cues, then the thresholds that
separate handwriting from the rest (the rule in edge.ocr.handwriting) and its accuracy. (Two
stroke-shape cues, joined letters and the width of ink edges, were measured here too and did
not separate these pages: handwriting fonts mostly leave letters apart, and blurred print has
edges as wide as sharp handwriting.)
"""
from __future__ import annotations

import argparse
import io
import os
import random
from dataclasses import replace

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

import numpy as np  # noqa: E402
from PIL import Image, ImageDraw, ImageFont  # noqa: E402

from edge.batch import process_batch  # noqa: E402
from edge.ocr import handwriting  # noqa: E402
from edge.pipeline import Page, PipelineContext  # noqa: E402
from samplegen import make_petition  # noqa: E402
from samplegen.layout import FONTS  # noqa: E402
from samplegen.pageset import _draw_text_page  # noqa: E402
from samplegen.scan import draw_params, simulate_scan  # noqa: E402

HANDS = ["opentype/dancingscript/DancingScript-Regular.otf", "opentype/kaushanscript/KaushanScript-Regular.otf",
         "truetype/fifthhorseman/dkg.ttf", "truetype/ecolier-court/Ecolier-court.ttf",
         "truetype/kristi/Kristi.ttf", "opentype/tlwg/Purisa.otf", "truetype/sjfonts/SteveHand.ttf"]
DPI = 200


def hand_page(rng: random.Random, font_path: str) -> Image.Image:
    """A page of petition text in a handwriting font, each line wavering a little."""
    text = make_petition(rng).text
    w, h = int(8.27 * DPI), int(11.69 * DPI)
    img = Image.new("L", (w, h), 255)
    size = int(rng.uniform(0.17, 0.22) * DPI)
    font = ImageFont.truetype(f"/usr/share/fonts/{font_path}", size)
    y = int(0.8 * DPI)
    for para in text.split("\n"):
        words, line = para.split(), ""
        for word in [*words, None]:
            trial = f"{line} {word}".strip() if word else line
            if word and font.getlength(trial) < w - 1.6 * DPI:
                line = trial
                continue
            if line:
                band = Image.new("L", (w, int(size * 1.8)), 255)
                ImageDraw.Draw(band).text((int(0.8 * DPI + rng.uniform(-10, 10)), int(size * 0.3)),
                                          line, font=font, fill=rng.randint(40, 90))
                band = band.rotate(rng.uniform(-1.2, 1.2), fillcolor=255)
                img.paste(Image.fromarray(np.minimum(np.asarray(img.crop((0, y, w, y + band.height))),
                                                     np.asarray(band))), (0, y))
                y += int(size * rng.uniform(1.5, 1.8))
            line = word or ""
            if y > h - 1.2 * DPI:
                return img
    return img


def make_pages(n: int, seed: int) -> list[tuple[str, bytes, bool]]:
    """Per k: a print page, a poor copy of print (what must not be flagged), a handwritten page."""
    rng = random.Random(seed)
    pages = []
    for k in range(n):
        for kind in ("print", "poor", "hand"):
            img = hand_page(rng, HANDS[k % len(HANDS)]) if kind == "hand" else _draw_text_page(
                rng, sorted(FONTS)[k % len(FONTS)], DPI)[0]
            params = replace(draw_params(rng, noise=rng.uniform(0.3, 1.0)), skew_degrees=rng.uniform(-2, 2))
            if kind == "poor":  # the orientation bench's poor copies, and worse
                params = replace(params, blur_sigma=rng.uniform(1.5, 3.5), jpeg_quality=rng.randint(10, 30))
            scan = simulate_scan(img, params, seed=rng.randrange(1 << 30), dpi=DPI)
            buf = io.BytesIO()
            scan.save(buf, format="PNG", dpi=(DPI, DPI))
            pages.append((f"{kind}-{k}", buf.getvalue(), kind == "hand"))
    return pages


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=10, help="pages of each kind")
    ap.add_argument("--seed", type=int, default=30)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    pages = make_pages(args.pages, args.seed)
    rows = []
    for (name, _, hand), (_, res) in zip(pages, process_batch(
            pages, lambda p: p[1], ctx=PipelineContext(dpi=DPI, pdf=False), workers=args.workers,
            source=lambda p: p[0]), strict=True):
        if not isinstance(res, Page):
            print(f"{name}: failed ({res})")
            continue
        c = handwriting.HandwritingCues(**res.imaging["handwriting"])
        rows.append((name, hand, c, "handwritten" in res.flags))
        print(f"{name:<10} words {c.words:>4}  unsure {c.low_share:.2f}  conf {res.ocr_confidence:>5.1f}  "
              f"flagged {rows[-1][3]}")
    judged = [r for r in rows if r[2].words >= handwriting.MIN_WORDS]
    top_print = max(r[2].low_share for r in judged if not r[1])
    low_hand = min(r[2].low_share for r in judged if r[1])
    if top_print < low_hand:
        print(f"\nprint reads at most {top_print:.2f} unsure, handwriting at least {low_hand:.2f}: "
              f"fitted LOW_SHARE = {(top_print + low_hand) / 2:.2f}")
    else:
        print(f"\nprint and handwriting overlap (print up to {top_print:.2f}, handwriting from {low_hand:.2f})")
    right = sum(r[3] == r[1] for r in rows)
    print(f"rule in edge.ocr.handwriting (unsure >= {handwriting.LOW_SHARE}): {right}/{len(rows)} right; "
          f"print flagged {sum(r[3] and not r[1] for r in rows)}, handwriting missed "
          f"{sum(r[1] and not r[3] for r in rows)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
