"""Handwritten-page detection: precision and recall on handwritten and typed pages (issue 20). Not a test.

    python -m tests.bench.bench_handwriting [--fit] [--per-font 4] [--seed 1]

Pages are generated, scanned by samplegen's scan simulator and read by Tesseract ``vie``
(``edge.ocr.recognize``, two processes), then judged by ``edge.ocr.handwriting``:
- handwritten: petition text written by ``samplegen.handwriting.write_page`` (per-character
  baseline wobble, size and spacing, per-line slant, pen width) in Debian's handwriting fonts;
- typed: petitions typeset by samplegen (``render_document``) and, in a font the fit never saw,
  by ``write_page`` without jitter; scan noise 0.3-1.2, 150-300 dpi;
- poor copies: typed pages copied once too often (faded ink, blur, heavy noise, small print,
  JPEG at 150 dpi), whose OCR confidence is low; in both sets, in the sets' own typed fonts.
The fit set and the held-out set share no text (other petitions, other seeds), no handwriting
font and no typed font. ``--fit`` fits the logistic model (scikit-learn, balanced classes) on
the fit set and writes ``edge/ocr/data/handwriting.json``; the decision threshold is p = 0.5,
the Bayes decision for equal priors and costs under that model. Then both sets are scored.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import statistics
import time
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

FIT_HAND = ("Seto", "DKG", "Breip")
TEST_HAND = ("Dancing Script", "Kristi", "Femke Klaver", "Steve Hand", "Klee One", "Purisa", "Humor Sans")
FIT_TYPED = ("DejaVu Serif", "Liberation Sans")  # samplegen's typesetter
TEST_TYPED = ("Liberation Serif", "DejaVu Sans", "Andika")  # Andika through write_page, jitter 0
DPIS = (150, 200, 300)
WORKERS = 2
MODEL_FILE = Path(__file__).resolve().parents[2] / "edge" / "ocr" / "data" / "handwriting.json"


def _jobs(split: str, per_font: int, seed: int) -> list[dict]:
    rng = random.Random(f"{split}-{seed}")
    hand, typed = (FIT_HAND, FIT_TYPED) if split == "fit" else (TEST_HAND, TEST_TYPED)
    base = (1000 if split == "fit" else 2000) + seed * 100
    jobs = []
    k = 0
    for kind, fonts, n in (("hand", hand, per_font), ("typed", typed, per_font + per_font // 2)):
        for font in fonts:
            for _ in range(n):
                jobs.append({"split": split, "kind": kind, "font": font, "seed": base + k,
                             "dpi": DPIS[k % len(DPIS)], "noise": rng.uniform(0.3, 1.2),
                             "jitter": rng.uniform(0.7, 1.6)})
                k += 1
    for font in FIT_TYPED if split == "fit" else TEST_TYPED[:2]:
        for _ in range(2 if split == "fit" else 3):
            jobs.append({"split": split, "kind": "poor", "font": font, "seed": base + k, "dpi": 150,
                         "noise": rng.uniform(0.0, 1.0), "jitter": 0.0})
            k += 1
    return jobs


def page_for(job: dict):
    """Render and scan one page: (uint8 gray, dpi)."""
    import numpy as np

    from samplegen import make_petition
    from samplegen.handwriting import TYPED_FONTS, write_page
    from samplegen.layout import draw_page, layout_pages
    from samplegen.render import render_document
    from samplegen.scan import ScanParams, draw_params, simulate_scan

    rng = random.Random(job["seed"])
    pet = make_petition(rng)
    dpi = job["dpi"]
    if job["kind"] == "poor":  # a copy of a copy: faded, blurred, noisy, small print, JPEG
        q = job["noise"]
        layout = layout_pages(pet.text, dpi=dpi, font=job["font"], size_pt=12 - q)[0]
        params = ScanParams(paper_tone=rng.randint(230, 242), paper_shading=8.0, ink_tone=int(75 + 25 * q),
                            blur_sigma=1.0 + 0.8 * q, noise_sigma=14 + 8 * q, specks=300,
                            jpeg_quality=rng.randint(30, 50), skew_degrees=rng.uniform(-1, 1))
        img = simulate_scan(draw_page(layout), params, seed=job["seed"], dpi=dpi)
    elif job["kind"] == "hand" or job["font"] in TYPED_FONTS and job["kind"] == "typed":
        jitter = job["jitter"] if job["kind"] == "hand" else 0.0
        page = write_page(pet.text, font=job["font"], dpi=dpi, seed=job["seed"], jitter=jitter)
        params = draw_params(rng, noise=job["noise"], skew_degrees=rng.uniform(-1, 1), lid_edge=False)
        img = simulate_scan(page.image, params, seed=job["seed"], dpi=dpi)
    else:
        img = render_document(pet.text, dpi=dpi, font=job["font"], noise=job["noise"],
                              skew_degrees=rng.uniform(-1, 1), seed=job["seed"],
                              jpeg=True if job["kind"] == "poor" else None)[0].image
    return np.asarray(img.convert("L")), dpi


def _measure(job: dict) -> dict:
    from edge.ocr import recognize
    from edge.ocr.handwriting import features

    gray, dpi = page_for(job)
    res = recognize(gray, dpi=dpi, lang="vie")
    t0 = time.perf_counter()
    feats = features(gray, res, dpi=dpi)
    ms = (time.perf_counter() - t0) * 1000
    return {**job, "features": feats, "ms": ms, "ocr_conf": res.confidence, "words": res.words}


def fit(rows: list[dict], path: Path, note: str) -> dict:
    """Fit the logistic models (with OCR features, and image-only) and write them to ``path``."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from edge.ocr.handwriting import FEATURES, IMAGE_FEATURES

    out: dict = {"fitted_by": "python -m tests.bench.bench_handwriting --fit", "fit_set": note,
                 "threshold_model": "p >= 0.5: Bayes decision for equal priors and costs "
                                    "(classes weighted to balance in the fit)"}
    rows = [r for r in rows if r["features"] is not None]
    y = np.array([r["kind"] == "hand" for r in rows], int)
    for name, feats in (("with_ocr", FEATURES), ("image_only", IMAGE_FEATURES)):
        X = np.array([[r["features"][k] for k in feats] for r in rows])
        mean, scale = X.mean(axis=0), X.std(axis=0) + 1e-9
        lr = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000).fit((X - mean) / scale, y)
        out[name] = {"features": list(feats), "mean": mean.round(6).tolist(), "scale": scale.round(6).tolist(),
                     "coef": lr.coef_[0].round(6).tolist(), "intercept": round(float(lr.intercept_[0]), 6),
                     "threshold": 0.5}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return out


def _table(rows: list[dict], model: dict, which: str) -> list[str]:
    from edge.ocr.handwriting import score

    m = model[which]
    lines = []
    for split in ("fit", "test"):
        sel = [r for r in rows if r["split"] == split]
        got = [(r, r["features"] is not None and score(r["features"], m)[0] >= m["threshold"]) for r in sel]
        tp = sum(1 for r, g in got if g and r["kind"] == "hand")
        fp = sum(1 for r, g in got if g and r["kind"] != "hand")
        fn = sum(1 for r, g in got if not g and r["kind"] == "hand")
        n_hand = sum(r["kind"] == "hand" for r in sel)
        prec = tp / (tp + fp) if tp + fp else float("nan")
        rec = tp / n_hand if n_hand else float("nan")
        poor = [g for r, g in got if r["kind"] == "poor"]
        lines.append(f"{which:11}{split:6}{n_hand:6}{len(sel) - n_hand:7}{tp:5}{fp:5}{fn:5}"
                     f"{prec:11.1%}{rec:9.1%}   " + (f"{sum(poor)}/{len(poor)}" if poor else "-"))
    return lines


def main(argv: list[str] | None = None) -> int:
    """Generate, read and judge the pages; with --fit write the model first; print the tables."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fit", action="store_true", help="fit the model on the fit set and write it")
    ap.add_argument("--per-font", type=int, default=4, help="handwritten pages per font in the fit set")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    jobs = _jobs("fit", args.per_font, args.seed) + _jobs("test", max(2, args.per_font // 2), args.seed)
    t0 = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(WORKERS) as pool:
        rows = pool.map(_measure, jobs, chunksize=1)
    print(f"{len(rows)} pages generated and read in {time.perf_counter() - t0:.0f} s")
    if args.fit:
        note = (f"handwriting fonts {', '.join(FIT_HAND)}; typed {', '.join(FIT_TYPED)}; "
                f"{args.per_font} pages a handwriting font, seed {args.seed}")
        model = fit([r for r in rows if r["split"] == "fit"], MODEL_FILE, note)
        print(f"model written to {MODEL_FILE}")
    else:
        model = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    print(f"\nfit: handwriting {', '.join(FIT_HAND)} / typed {', '.join(FIT_TYPED)}")
    print(f"test (held out): handwriting {', '.join(TEST_HAND)} / typed {', '.join(TEST_TYPED)} + poor copies")
    print(f"{'model':11}{'set':6}{'hand':>6}{'typed':>7}{'TP':>5}{'FP':>5}{'FN':>5}"
          f"{'precision':>11}{'recall':>9}   poor copies flagged")
    for which in ("with_ocr", "image_only"):
        for line in _table(rows, model, which):
            print(line)
    print("\nmean OCR confidence: " + ", ".join(
        f"{kind} {statistics.mean(r['ocr_conf'] for r in rows if r['kind'] == kind):.0f}"
        f" (min {min(r['ocr_conf'] for r in rows if r['kind'] == kind):.0f})"
        for kind in ("hand", "typed", "poor")))
    print(f"features: {statistics.median(r['ms'] for r in rows):.0f} ms per page (median, after OCR)")
    misses = [r for r in rows if r["split"] == "test" and r["features"] is not None]
    from edge.ocr.handwriting import score

    for r in misses:
        p = score(r["features"], model["with_ocr"])[0]
        if (p >= 0.5) != (r["kind"] == "hand"):
            print(f"  wrong: {r['kind']} {r['font']} {r['dpi']} dpi noise {r['noise']:.2f} p={p:.2f} "
                  + " ".join(f"{k}={v:.3f}" for k, v in r["features"].items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
