"""Command line: ``python -m samplegen --out DIR ...`` writes a labelled petition corpus."""
from __future__ import annotations

import argparse
import os
import sys
import time

from samplegen.corpus import generate_corpus
from samplegen.exceptions import SampleGenError
from samplegen.variants import ALL


def build_parser() -> argparse.ArgumentParser:
    """Argument parser of the samplegen CLI."""
    p = argparse.ArgumentParser(
        prog="python -m samplegen",
        description="Write synthetic Vietnamese petitions as scanned page images (PNG) with ground truth, "
                    "duplicate variants and hard negatives, indexed by DIR/manifest.json.")
    p.add_argument("--out", required=True, metavar="DIR", help="output directory (created if missing)")
    p.add_argument("--matters", type=int, default=6, metavar="N", help="number of original petitions (default 6)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="random seed; same seed, same corpus (default 0)")
    p.add_argument("--dpi", type=int, default=300, metavar="D", help="scan resolution (default 300 = A4 2480x3508)")
    p.add_argument("--max-skew", type=float, default=8.0, metavar="X",
                   help="pages are skewed uniformly within +-X degrees (default 8)")
    p.add_argument("--noise", type=float, default=0.5, metavar="L",
                   help="scan degradation level: 0 clean, 0.5 typical, 1 poor (default 0.5)")
    p.add_argument("--variants", default=",".join(ALL), metavar="LIST",
                   help=f"comma-separated variants to make per matter (default all: {','.join(ALL)})")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, metavar="W",
                   help="render in W processes (default: number of CPUs); output does not depend on it")
    p.add_argument("--txt", action="store_true",
                   help="also write DIR/txt/<doc>.txt ground truth (UTF-8, pages separated by form feed)")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    args = build_parser().parse_args(argv)
    chosen = tuple(x.strip() for x in args.variants.split(",") if x.strip())
    t0 = time.monotonic()
    try:
        m = generate_corpus(args.out, matters=args.matters, seed=args.seed, dpi=args.dpi,
                            max_skew=args.max_skew, noise=args.noise, variants=chosen, txt=args.txt,
                            workers=args.workers)
    except SampleGenError as e:
        print(f"error: {e}", file=sys.stderr)
        return e.exit_code
    pages = sum(len(d.pages) for d in m.documents)
    print(f"wrote {len(m.documents)} documents, {pages} pages to {args.out} in {time.monotonic() - t0:.1f} s")
    return 0
