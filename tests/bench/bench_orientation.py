"""Orientation on poor copies: upside-down and upright pages at 100-200 dpi, blurred and JPEG'd.

    python -m tests.bench.bench_orientation [--pages N] [--seed S] [--workers W]

Each page is a generated petition (samplegen) through samplegen's scan simulator at noise 1.0
with JPEG forced, fed the right way up or turned 180°, and read by the page pipeline exactly as
the kiosk reads it (edge.batch.process_batch), three times: with OCR's second opinion on orientation
(edge.orientation, the default), with the cheap cues alone (turns tried: none) and with the
second opinion alone (every cue taken as unsure: what it does where the cue fails). Reports the
share read the right way up, character error rate, and what the second opinion costs on the
upright pages (which never needed it) in Tesseract work (pixels read) and wall time.
"""
from __future__ import annotations

import argparse
import io
import os
import random
import time
from dataclasses import replace

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from edge import orientation  # noqa: E402
from edge.batch import process_batch  # noqa: E402
from edge.ocr import tesseract  # noqa: E402
from edge.pipeline import Page, PipelineContext  # noqa: E402
from samplegen.layout import FONTS  # noqa: E402
from samplegen.pageset import _draw_text_page  # noqa: E402
from samplegen.scan import draw_params, simulate_scan  # noqa: E402
from tests.bench.bench_ocr import cer  # noqa: E402

DPIS = (100, 150, 200)


def make_pages(n: int, seed: int, blur: tuple[float, float] = (0.8, 1.6)) -> list[tuple[str, bytes, int, int, str]]:
    """(name, PNG, dpi, truth turn, typed text) for n pages a resolution, half of them turned."""
    rng = random.Random(seed)
    fonts = sorted(FONTS)
    out = []
    for dpi in DPIS:
        for k in range(n):
            img, _, text = _draw_text_page(rng, rng.choice(fonts), dpi)
            turn = 180 if k % 2 == 0 else 0
            if turn:
                img = img.rotate(180)
            # Poorer than noise 1.0 alone: the blur and compression of a network scanner's
            # "small file" setting (by default sigma 0.8-1.6 px at 300 dpi, JPEG quality 15-35).
            params = replace(draw_params(rng, noise=1.0, jpeg=True), skew_degrees=rng.uniform(-3, 3),
                             blur_sigma=rng.uniform(*blur), jpeg_quality=rng.randint(15, 35))
            scan = simulate_scan(img, params, seed=rng.randrange(1 << 30), dpi=dpi)
            buf = io.BytesIO()
            scan.save(buf, format="PNG")
            out.append((f"{dpi}dpi-{k}-{turn}", buf.getvalue(), dpi, turn, text))
    return out


class _Counted:
    """Pixels Tesseract is given (its time follows the page area, edge.batch.ocr_work)."""

    def __init__(self) -> None:
        self.pixels = 0
        self.real = tesseract.recognize

    def __call__(self, image, **kw):
        self.pixels += int(image.shape[0] * image.shape[1])
        return self.real(image, **kw)


# The configurations compared: the pipeline as shipped; the cheap cues alone (no turn tried);
# OCR's second opinion alone (every cue treated as unsure, so it decides every page).
CONFIGS = ("shipped", "cues only", "OCR alone")


def run(pages, *, workers: int) -> dict[str, dict[str, tuple[Page, float, int]]]:
    """Every page through the pipeline in each configuration, one after the other (the box is
    shared: neighbouring runs see the same load): (page, seconds, pixels read) by name."""
    import edge.ocr as ocr_pkg
    from edge.imaging import orientation as cues

    saved_turns, saved_sure = orientation.turns_to_try, cues.cue_is_sure
    out: dict[str, dict[str, tuple[Page, float, int]]] = {c: {} for c in CONFIGS}
    try:
        for item in pages:
            ctx = PipelineContext(dpi=item[2], pdf=False)
            for config in CONFIGS:
                orientation.turns_to_try = (lambda *a, **k: ()) if config == "cues only" else saved_turns
                cues.cue_is_sure = (lambda cue: False) if config == "OCR alone" else saved_sure
                counter = _Counted()
                ocr_pkg.recognize = counter  # the pipeline looks it up on each call
                t = time.perf_counter()
                ((_, res),) = list(process_batch([item], lambda p: p[1], ctx=ctx, workers=workers,
                                                 source=lambda p: p[0]))
                out[config][item[0]] = (res, time.perf_counter() - t, counter.pixels)
    finally:
        orientation.turns_to_try, cues.cue_is_sure = saved_turns, saved_sure
        ocr_pkg.recognize = tesseract.recognize
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=8, help="pages per resolution (half turned)")
    ap.add_argument("--seed", type=int, default=20)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--blur", type=float, nargs=2, default=(0.8, 1.6), metavar=("LO", "HI"),
                    help="scan blur sigma range, pixels at 300 dpi")
    args = ap.parse_args()
    pages = make_pages(args.pages, args.seed, tuple(args.blur))
    results = run(pages, workers=args.workers)
    print(f"\n{len(pages)} pages, noise 1.0, blur {args.blur[0]}-{args.blur[1]} px, JPEG q15-35, half fed upside down; right = read the right way up")
    print(f"{'dpi':>5} {'turned':>7}" + "".join(f"{'right ' + c:>18}" for c in CONFIGS)
          + "".join(f"{'CER ' + c:>15}" for c in CONFIGS) + f" {'cue unsure':>11}")
    for dpi in DPIS:
        for turn in (180, 0):
            group = [p for p in pages if p[2] == dpi and p[3] == turn]
            right = [f"{sum(_right(results[c][p[0]][0], turn) for p in group)}/{len(group)}"
                     for c in CONFIGS]
            cers = [sum(_cer(results[c][p[0]][0], p[4]) for p in group) / len(group) for c in CONFIGS]
            unsure = sum(_unsure(results["shipped"][p[0]][0]) for p in group)
            print(f"{dpi:>5} {turn:>7}" + "".join(f"{r:>18}" for r in right)
                  + "".join(f"{c:>15.3f}" for c in cers) + f" {unsure:>11}")
    for turn in (180, 0):
        group = [p for p in pages if p[3] == turn]
        print(f"all fed turned {turn}: " + ", ".join(
            f"{c} {sum(_right(results[c][p[0]][0], turn) for p in group)}/{len(group)} "
            f"({100 * sum(_right(results[c][p[0]][0], turn) for p in group) / len(group):.1f}%)"
            for c in CONFIGS))
    upright = [p for p in pages if p[3] == 0]
    base_px = sum(results["cues only"][p[0]][2] for p in upright)
    base_s = sum(results["cues only"][p[0]][1] for p in upright)
    for c in ("shipped", "OCR alone"):
        px = sum(results[c][p[0]][2] for p in upright)
        secs = sum(results[c][p[0]][1] for p in upright)
        print(f"cost on the upright pages (never needed it), {c} vs cues only: Tesseract pixels "
              f"{100 * (px / base_px - 1):+.1f}%, wall time {secs:.1f} s vs {base_s:.1f} s "
              f"({100 * (secs / base_s - 1):+.1f}%)")
    return 0


def _right(page, turn: int) -> bool:
    return isinstance(page, Page) and page.imaging.get("orientation") == turn


def _unsure(page) -> bool:
    return isinstance(page, Page) and page.imaging.get("orientation_confidence", 0) < orientation.SURE


def _cer(page, truth: str) -> float:
    return cer(page.text, truth) if isinstance(page, Page) else 1.0


if __name__ == "__main__":
    raise SystemExit(main())
