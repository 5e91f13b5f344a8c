"""CER of confirmed copies (red seal and blue signature across the text) with and without colour
dropout (issue 20). Not a test.

    python -m tests.bench.bench_colour [--pages 4] [--dpi 200] [--seed 1]

Typed petition pages (samplegen's typesetter, its four fonts in turn) are scanned in colour
(``samplegen.stamps.confirm_copy``: blur, sensor noise, JPEG) once with a seal and a signature
and once without, then read by Tesseract ``vie`` through ``edge.ocr.recognize`` from the plain
luma a grayscale scanner would deliver and from ``edge.imaging.colour.drop_colour``'s page.
Prints the character error rate of each against the typeset text, and dropout's ms per page.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import time

import numpy as np

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

FONTS = ("DejaVu Serif", "Liberation Serif", "Liberation Sans", "DejaVu Sans")
_LUMA = np.array([0.299, 0.587, 0.114], np.float32)


def luma(rgb: np.ndarray) -> np.ndarray:
    """What a grayscale scan of the page gives (BT.601, as imaging.to_gray)."""
    return np.clip(np.rint(rgb.astype(np.float32) @ _LUMA), 0, 255).astype(np.uint8)


def main(argv: list[str] | None = None) -> int:
    """Run the comparison and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=4)
    ap.add_argument("--dpi", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)

    from edge.imaging.colour import drop_colour
    from edge.ocr import recognize
    from samplegen import layout_pages, make_petition
    from samplegen.layout import draw_page
    from samplegen.stamps import confirm_copy
    from tests.bench.bench_ocr import cer

    rng = random.Random(args.seed)
    rows: dict[str, list[float]] = {k: [] for k in ("plain/luma", "plain/drop", "seal/luma", "seal/drop")}
    drop_ms, removed = [], []
    for i in range(args.pages):
        pet = make_petition(rng)
        layout = layout_pages(pet.text, dpi=args.dpi, font=FONTS[i % len(FONTS)])[0]
        page, truth = draw_page(layout), layout.text
        seed = args.seed * 100 + i
        for name, stamped in (("plain", False), ("seal", True)):
            copy = confirm_copy(page, seed=seed, dpi=args.dpi, seal=stamped, signature=stamped, jpeg=True)
            t0 = time.perf_counter()
            dropped = drop_colour(copy.rgb)
            if stamped:
                drop_ms.append((time.perf_counter() - t0) * 1000)
                removed.append(dropped.removed_share)
            for how, gray in (("luma", luma(copy.rgb)), ("drop", dropped.gray)):
                text = recognize(gray, dpi=args.dpi, lang="vie").text
                rows[f"{name}/{how}"].append(cer(text, truth))
        print(f"  page {i + 1}/{args.pages}: " + ", ".join(f"{k} {v[-1]:.2%}" for k, v in rows.items()),
              flush=True)

    print(f"\nCER over {args.pages} typed pages at {args.dpi} dpi (Tesseract vie), mean (max):")
    print(f"{'':18}{'grayscale (luma)':>20}{'colour dropout':>20}")
    for name, label in (("plain", "without seal"), ("seal", "seal + signature")):
        cells = [f"{statistics.mean(rows[f'{name}/{h}']):.2%} ({max(rows[f'{name}/{h}']):.2%})"
                 for h in ("luma", "drop")]
        print(f"{label:18}{cells[0]:>20}{cells[1]:>20}")
    gap = statistics.mean(rows["seal/drop"]) - statistics.mean(rows["plain/drop"])
    print(f"\nseal with dropout minus no seal: {gap * 100:+.2f} points (target within 0.5)")
    print(f"dropout: {statistics.median(drop_ms):.0f} ms per page (median), "
          f"{statistics.mean(removed):.2%} of pixels dropped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
