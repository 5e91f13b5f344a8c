"""Imaging benchmark: skew, orientation, blank flags and OCR quality on a labelled page set.

    python -m tests.bench.bench_imaging [--quick] [--seed S] [--no-ocr]

Measures this project's imaging stage side by side with jdeskew, deskew (1/4 scale,
min_deviation=0.1) and the OpenCV minAreaRect recipe, all on one core in the same run
(pip install jdeskew deskew; they are benchmark-only dependencies).
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import time
from concurrent.futures import ProcessPoolExecutor

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from edge.imaging import estimate_skew, prepare  # noqa: E402
from samplegen.pageset import build_ocr_twins, build_pageset  # noqa: E402


def _timed(fn, *args, **kw):
    """Result, wall ms and CPU ms of this process (the box is shared: CPU time is the fair cost)."""
    t, c = time.perf_counter(), time.process_time()
    out = fn(*args, **kw)
    return out, (time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000


def ours(gray: np.ndarray) -> float:
    return estimate_skew(gray).angle_degrees


def ref_jdeskew(gray: np.ndarray) -> float:
    from jdeskew.estimator import get_angle

    # jdeskew reports the correcting rotation (image y axis down): the opposite sign of ours.
    return -float(get_angle(gray, angle_max=45.0))


def ref_deskew(gray: np.ndarray) -> float:
    from deskew import determine_skew

    small = cv2.resize(gray, (gray.shape[1] // 4, gray.shape[0] // 4), interpolation=cv2.INTER_AREA)
    a = determine_skew(small, min_deviation=0.1)
    return -float(a) if a is not None else 0.0  # same convention as jdeskew


def ref_min_area_rect(gray: np.ndarray) -> float:
    """The widely copied recipe: Otsu, dark pixel coordinates, minAreaRect angle."""
    _, binary = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    pts = cv2.findNonZero(binary)
    (_, _), (w, h), angle = cv2.minAreaRect(pts)
    # Fold OpenCV's rectangle angle to the nearest axis; CCW positive like the labels.
    return -(((float(angle) + 45.0) % 90.0) - 45.0)


TOOLS = {"this project": ours, "jdeskew 0.4.2": ref_jdeskew, "deskew 1.6.1 (1/4, 0.1)": ref_deskew,
         "OpenCV minAreaRect": ref_min_area_rect}


def angle_error(got: float, want: float) -> float:
    """Error modulo 90 degrees (every tool here measures line direction, not up/down)."""
    return abs((got - want + 45.0) % 90.0 - 45.0)


def cer(got: str, want: str) -> float:
    from rapidfuzz.distance import Levenshtein

    got, want = " ".join(got.split()), " ".join(want.split())
    return Levenshtein.distance(got, want) / max(1, len(want))


def _ocr_job(job: tuple[np.ndarray, str]) -> tuple[float, float]:
    """CER of one page and the CPU ms Tesseract took, with the pipeline's own call."""
    from edge.ocr import recognize

    image, truth = job
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    # As edge.pipeline.recognize: vie, psm 3, 300 dpi, no inverted retry, with the PDF.
    res = recognize(image, lang="vie", psm=3, dpi=300, invert=False, pdf=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000
    return cer(res.text, truth), cpu


def _ocr_table(*, count: int, seed: int) -> None:
    """OCR CER of skewed pages after prepare against the same pages scanned straight."""
    from edge.imaging.binarize import binarize

    t0 = time.time()
    twins = list(build_ocr_twins(count=count, seed=seed))
    inputs = {"straight scan (reference)": [], "prepare().ocr": [], "prepare().archive (gray)": [],
              "Sauvola of archive": [], "raw skewed scan": []}
    truths = []
    for p in twins:
        prep = prepare(p.image)
        truths.append(p.text)
        for name, img in zip(inputs, (p.straight, prep.ocr, prep.archive, binarize(prep.archive),
                                      p.image), strict=True):
            inputs[name].append(img)
    jobs = [(img, text) for imgs in inputs.values() for img, text in zip(imgs, truths, strict=True)]
    # Tesseract runs single-threaded (OMP_THREAD_LIMIT=1); two processes use the two cores.
    with ProcessPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(_ocr_job, jobs))
    print(f"\nOCR (Tesseract vie, psm 3, as the pipeline calls it) on {len(twins)} pages skewed "
          f"1..15° with noise, lid edges, stamps, tables, notes, vs the same pages scanned straight "
          f"(built and read in {time.time() - t0:.0f} s):")
    print(f"{'OCR input':<28}{'mean CER':>9}{'median':>8}{'gap pp':>8}{'tess cpu ms':>12}")
    ref = None
    for i, name in enumerate(inputs):
        rows = np.array(results[i * len(twins):(i + 1) * len(twins)])
        mean = 100 * rows[:, 0].mean()
        ref = mean if ref is None else ref
        print(f"{name:<28}{mean:>8.2f}%{100 * np.median(rows[:, 0]):>7.2f}%{mean - ref:>+8.2f}"
              f"{np.median(rows[:, 1]):>12.0f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small page set (~2 minutes)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-ocr", action="store_true", help="skip the OCR comparison")
    args = ap.parse_args(argv)
    cv2.setNumThreads(1)  # one core for everyone
    sizes = dict(text_pages=12, rotated=6, blanks=4, near_blanks=4, straight_twins=0) if args.quick \
        else dict(text_pages=48, rotated=16, blanks=12, near_blanks=8, straight_twins=0)
    t0 = time.time()
    pages = list(build_pageset(seed=args.seed, **sizes))
    print(f"page set: {len(pages)} pages at 300 dpi, built in {time.time() - t0:.0f} s; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    # Warm up every JIT and library once.
    for fn in TOOLS.values():
        fn(pages[0].image)
    prepare(pages[0].image)

    skew_pages = [p for p in pages if p.kind == "text"]
    errs: dict[str, list[float]] = {k: [] for k in TOOLS}
    ms: dict[str, list[float]] = {k: [] for k in TOOLS}
    cpu: dict[str, list[float]] = {k: [] for k in TOOLS}
    low_conf_wrong = 0
    for p in skew_pages:
        for name, fn in TOOLS.items():
            got, dt, dc = _timed(fn, p.image)
            errs[name].append(angle_error(got, p.skew_degrees))
            ms[name].append(dt)
            cpu[name].append(dc)
    # Our estimate's confidence for pages it got wrong.
    wrong_unflagged = 0
    for p, e in zip(skew_pages, errs["this project"], strict=True):
        if e > 1.0:
            if estimate_skew(p.image).confidence < 0.3:
                low_conf_wrong += 1
            else:
                wrong_unflagged += 1

    print(f"\nSkew on {len(skew_pages)} text pages, skew uniform in ±45° (35% within ±15°), "
          f"{sum(p.orientation != 0 for p in skew_pages)} of them also turned 90/180/270:")
    print(f"{'tool':<26}{'median°':>9}{'p95°':>8}{'max°':>8}{'>1°':>5}{'median ms':>11}"
          f"{'cpu ms':>8}")
    for name in TOOLS:
        e = np.array(errs[name])
        print(f"{name:<26}{np.median(e):>9.3f}{np.percentile(e, 95):>8.3f}{e.max():>8.2f}"
              f"{int((e > 1).sum()):>5}{statistics.median(ms[name]):>11.1f}"
              f"{statistics.median(cpu[name]):>8.1f}")
    print(f"  this project: pages > 1° off with confidence >= 0.3: {wrong_unflagged}, "
          f"flagged low-confidence: {low_conf_wrong}")

    # Whole imaging stage (cheap orientation cues; OCR's second opinion is bench_orientation's).
    stage_ms, stage_cpu, right, n_rot = [], [], 0, 0
    tp = fp = fn_ = 0
    stage_laps: dict[str, list[float]] = {}
    records = {}
    for p in pages:
        prep, _, dc = _timed(prepare, p.image)
        rec = prep.record
        records[p.name] = rec
        stage_cpu.append(dc)
        stage_ms.append(rec.timings_ms["total"])
        for k, v in rec.timings_ms.items():
            stage_laps.setdefault(k, []).append(v)
        if p.kind == "text":
            n_rot += 1
            right += rec.orientation == p.orientation
        flagged = rec.blank
        tp += flagged and p.blank
        fp += flagged and not p.blank
        fn_ += (not flagged) and p.blank
    print(f"\nWhole imaging stage (prepare) on all {len(pages)} pages, median ms per stage:")
    print("  " + "  ".join(f"{k} {statistics.median(v):.1f}" for k, v in stage_laps.items())
          + f"  (p95 total {np.percentile(stage_laps['total'], 95):.1f}); "
          f"CPU ms median {statistics.median(stage_cpu):.1f}, p95 {np.percentile(stage_cpu, 95):.1f}")
    print(f"\nOrientation on {n_rot} text pages ({sum(p.orientation != 0 for p in pages)} turned):")
    print(f"  cheap cues only:        {right}/{n_rot} right ({100 * right / n_rot:.1f}%), "
          f"median stage {statistics.median(stage_ms):.1f} ms")
    blanks = sum(p.blank for p in pages)
    print(f"\nBlank flags: {blanks} blank backs, {sum(p.kind == 'near-blank' for p in pages)} near-blank "
          f"(note or stamp only), {len(skew_pages)} text pages")
    print(f"  precision {tp / max(1, tp + fp):.3f}  recall {tp / max(1, blanks):.3f}  "
          f"(content pages flagged: {fp})")
    nb = [records[p.name].blank_score for p in pages if p.kind == "near-blank"]
    bb = [records[p.name].blank_score for p in pages if p.blank]
    print(f"  coverage %: blank backs max {max(bb):.4f}, near-blank min {min(nb):.4f} "
          f"(threshold 0.005)")

    if not args.no_ocr:
        _ocr_table(count=20 if args.quick else 24, seed=args.seed)
    print(f"\nbench run {time.time() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
