"""Resolution: skew error and CER of generated pages scanned at 100-600 dpi and as a 200x100 fax.

    python -m tests.bench.bench_resolution [--pages N] [--seed S] [--no-ocr]

Each page is a generated petition (samplegen) rendered at the resolution, skewed within ±10°
and put through samplegen's scan simulator (noise 0.5); the fax is rendered at 200 dpi, its
rows halved (200 x 100 dpi declared) and made 1-bit. Skew is measured on the page as the
pipeline decodes it (edge.imaging.decode_scan: a fax's pixels squared) by this project,
jdeskew and deskew (the ``bench`` extra), and by this project on the fax as it came. CER is the
page pipeline's (through edge.batch, as the kiosk runs it) with the file declaring its dpi and
with no dpi in the file (the scanner setting, 300, and the A4 page model then decide).
"""
from __future__ import annotations

import argparse
import io
import os
import random
import statistics
from dataclasses import replace

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from edge.batch import process_batch  # noqa: E402
from edge.imaging import decode, decode_scan, estimate_skew  # noqa: E402
from edge.pipeline import Page, PipelineContext  # noqa: E402
from samplegen.layout import FONTS  # noqa: E402
from samplegen.pageset import _draw_text_page  # noqa: E402
from samplegen.scan import draw_params, simulate_scan  # noqa: E402
from tests.bench.bench_imaging import angle_error, ref_deskew, ref_jdeskew  # noqa: E402
from tests.bench.bench_ocr import cer  # noqa: E402

RESOLUTIONS = ("100", "150", "200", "300", "400", "600", "fax 200x100")


def make_pages(n: int, seed: int) -> dict[str, list[tuple[bytes, bytes, float, str]]]:
    """Per resolution: (file declaring its dpi, the same without it, skew, typed text)."""
    rng = random.Random(seed)
    fonts = sorted(FONTS)
    out: dict[str, list[tuple[bytes, bytes, float, str]]] = {}
    for res in RESOLUTIONS:
        fax = res.startswith("fax")
        dpi = 200 if fax else int(res)
        out[res] = []
        for _ in range(n):
            img, _, text = _draw_text_page(rng, rng.choice(fonts), dpi)
            skew = rng.uniform(-10, 10)
            scan = simulate_scan(img, replace(draw_params(rng, noise=0.5, jpeg=False),
                                              skew_degrees=skew), seed=rng.randrange(1 << 30), dpi=dpi)
            if fax:
                scan = scan.resize((scan.width, scan.height // 2), Image.Resampling.BOX)
                scan = scan.point(lambda v: 255 * (v > 150)).convert("1")
                declared = _saved(scan, "TIFF", compression="group4", dpi=(200, 100))
                bare = _saved(scan, "TIFF", compression="group4")
            else:
                declared = _saved(scan, "PNG", dpi=(dpi, dpi))
                bare = _saved(scan, "PNG")
            out[res].append((declared, bare, skew, text))
    return out


def _saved(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def ours(gray: np.ndarray) -> float:
    return estimate_skew(gray).angle_degrees


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=3, help="pages per resolution")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-ocr", action="store_true", help="skew only")
    args = ap.parse_args()
    pages = make_pages(args.pages, args.seed)
    tools = {"this project": ours, "jdeskew 0.4.2": ref_jdeskew, "deskew 1.6.1": ref_deskew}
    print(f"\n{args.pages} pages a resolution, skew within ±10°, scan noise 0.5; skew error in degrees "
          "(median / max), CER of the page pipeline (mean)")
    head = f"{'dpi':<13}" + "".join(f"{t:>22}" for t in tools) + f"{'ours, fax as it came':>22}"
    if not args.no_ocr:
        head += f"{'CER dpi in file':>17}{'CER no dpi':>12}"
    print(head)
    for res in RESOLUTIONS:
        row = f"{res:<13}"
        for fn in tools.values():
            e = [angle_error(fn(decode_scan(p[0]).gray), p[2]) for p in pages[res]]
            row += f"{statistics.median(e):>14.3f} / {max(e):>5.2f}"
        if res.startswith("fax"):
            e = [angle_error(ours(decode(p[0])), p[2]) for p in pages[res]]
            row += f"{statistics.median(e):>14.3f} / {max(e):>5.2f}"
        else:
            row += f"{'':>22}"
        if not args.no_ocr:
            for k in (0, 1):
                got = process_batch(pages[res], lambda p, k=k: p[k], ctx=PipelineContext(pdf=False),
                                    workers=args.workers, source=lambda p: "page")
                errs = [cer(r.text, p[3]) if isinstance(r, Page) else 1.0 for p, r in got]
                row += f"{statistics.mean(errs):>{17 if k == 0 else 12}.3f}"
        print(row, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
