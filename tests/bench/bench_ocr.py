"""OCR throughput and quality, side by side with the reference tools (issue 4). Not a test.

    python -m tests.bench.bench_ocr [--petitions 24] [--quick] [--no-ocrmypdf] [--repeat 1]

Generates one- and two-page petitions (≈1,500–2,500 characters) with the project's generator,
scanned as kiosks produce them (skew within ±15°, noise, lid edges) and also rendered straight and
clean, then runs in one go:
  - this pipeline end to end (``python -m edge process --json``, default workers),
  - plain ``tesseract IMAGE - -l vie`` with OMP_THREAD_LIMIT=1, two processes at once, on the raw
    scans and on the straight clean renderings (the ideal input),
  - ``ocrmypdf -l vie --deskew --rotate-pages --jobs 2`` on the raw scans,
and prints pages per minute, median seconds per page, CPU seconds per page (the process and its
children: robust to other load on the machine) and character error rate against the generator's
ground truth, plus the pipeline's peak memory (the edge process alone, and with its tesseract
children) and time to first page. With ``--repeat N`` the pipeline and the ideal tesseract run
alternate N times and the median of each is shown, so a burst of outside load hits both.
"""
from __future__ import annotations

import argparse
import ctypes
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

ENV = dict(os.environ, OMP_THREAD_LIMIT="1")
FONTS = ("DejaVu Serif", "Liberation Serif", "Liberation Sans", "DejaVu Sans")


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def cer(found: str, truth: str) -> float:
    """Character error rate: edit distance over ground-truth length (whitespace collapsed)."""
    from rapidfuzz.distance import Levenshtein

    t = _norm(truth)
    return Levenshtein.distance(_norm(found), t) / max(1, len(t))


def make_set(out: Path, petitions: int, seed: int) -> list[dict]:
    """Raw scans and clean renderings of generated petitions, with ground truth per page."""
    from samplegen import make_petition
    from samplegen.render import render_document

    rng = random.Random(seed)
    pages: list[dict] = []
    for i in range(petitions):
        pet = make_petition(rng, long=rng.random() < 0.35)
        font = FONTS[i % len(FONTS)]
        skews = [rng.uniform(-15, 15) for _ in range(3)]
        raw = render_document(pet.text, font=font, skew_degrees=skews, noise=rng.uniform(0.4, 0.9),
                              lid_edge=rng.random() < 0.5, seed=seed * 100 + i)
        clean = render_document(pet.text, font=font, skew_degrees=0.0, noise=0.0, lid_edge=False,
                                seed=seed * 100 + i, jpeg=False)
        for j, (r, c) in enumerate(zip(raw, clean, strict=True)):
            name = f"p{i:03d}-{j + 1}"
            r.image.save(out / "raw" / f"{name}.png", dpi=(300, 300))
            c.image.save(out / "clean" / f"{name}.png", dpi=(300, 300))
            pages.append({"name": name, "truth": r.text, "skew": r.skew_degrees})
    return pages


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


# kcmp(2) by machine; KCMP_VM asks whether two processes share one address space.
_SYS_KCMP = {"x86_64": 312, "aarch64": 272, "riscv64": 272, "armv7l": 378, "armv6l": 378}
_KCMP_VM = 1


def _same_address_space(pid: int, other: int) -> bool:
    """True if ``other`` runs in ``pid``'s memory: a vfork child that has not exec'd yet."""
    number = _SYS_KCMP.get(platform.machine())
    if number is None:
        return False  # unknown machine: count it, as before (may count the parent twice)
    return ctypes.CDLL(None, use_errno=True).syscall(number, pid, other, _KCMP_VM, 0, 0) == 0


def _tree_pss_mb(pid: int) -> float:
    """Memory of a process and its children (the edge agent and its tesseracts).

    Proportional set size: pages shared with the parent (a forked child, the libraries) are
    counted once, not once per process. Python's subprocess starts children with vfork: until
    the exec the child runs in its parent's address space and /proc shows the parent's whole
    memory under the child's pid; such a child is skipped, else the parent counts twice.
    """
    total, todo = 0, [(pid, 0)]
    while todo:
        p, parent = todo.pop()
        try:
            if not (parent and _same_address_space(parent, p)):
                with open(f"/proc/{p}/smaps_rollup") as f:
                    total += next((int(line.split()[1]) for line in f if line.startswith("Pss:")), 0)
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo.extend((int(c), p) for c in f.read().split())
        except (OSError, ValueError):
            continue
    return total / 1024


def run_pipeline(files: list[Path]) -> tuple[float, dict[str, str], list[float], float, float, float]:
    """Wall time, text per page, per-page seconds, peak RSS (MB, alone and with its tesseract
    children) and first-page latency."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "edge", "process", "--json", *map(str, files)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=ENV, cwd=ROOT,
                            text=True)
    tree_peak = [0.0]

    def sample() -> None:
        while proc.poll() is None:
            tree_peak[0] = max(tree_peak[0], _tree_pss_mb(proc.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    texts, secs, first = {}, [], 0.0
    assert proc.stdout is not None
    for line in proc.stdout:
        if not first:
            first = time.perf_counter() - start
        row = json.loads(line)
        texts[Path(row["source"]).stem] = row.get("text", "")
        secs.append(row.get("timings_ms", {}).get("total", 0) / 1000)
    proc.wait()
    wall = time.perf_counter() - start
    sampler.join()
    # ru_maxrss of the largest waited-for child: the edge process (tesseract children are smaller)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return wall, texts, secs, peak, tree_peak[0], first


def run_tesseract(files: list[Path]) -> tuple[float, dict[str, str], list[float]]:
    def one(f: Path) -> tuple[str, str, float]:
        t0 = time.perf_counter()
        out = subprocess.run(["tesseract", str(f), "-", "-l", "vie"], capture_output=True,
                             text=True, env=ENV, timeout=600).stdout
        return f.stem, out, time.perf_counter() - t0

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(one, files))
    return time.perf_counter() - start, {k: v for k, v, _ in results}, [s for *_, s in results]


def run_ocrmypdf(files: list[Path], work: Path) -> tuple[float, dict[str, str], list[float]] | None:
    if not shutil.which("ocrmypdf"):
        return None
    import img2pdf

    start = time.perf_counter()
    texts, secs = {}, []
    # one job per document-sized chunk would hide the per-file start-up; run it as users do: one
    # multi-page PDF of all pages, --jobs 2.
    src = work / "all.pdf"
    src.write_bytes(img2pdf.convert([str(f) for f in files]))
    sidecar = work / "all.txt"
    subprocess.run(["ocrmypdf", "-l", "vie", "--deskew", "--rotate-pages", "--jobs", "2",
                    "--output-type", "pdf", "--sidecar", str(sidecar), "--quiet",
                    str(src), str(work / "out.pdf")], check=True, env=ENV, timeout=7200)
    wall = time.perf_counter() - start
    for f, page_text in zip(files, sidecar.read_text().split("\f"), strict=False):
        texts[f.stem] = page_text
        secs.append(wall / len(files) * 2)  # two jobs at once
    return wall, texts, secs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--petitions", type=int, default=24)
    ap.add_argument("--quick", action="store_true", help="8 petitions")
    ap.add_argument("--seed", type=int, default=4)
    ap.add_argument("--no-ocrmypdf", action="store_true")
    ap.add_argument("--repeat", type=int, default=1,
                    help="alternate the pipeline and the ideal tesseract run this many times")
    args = ap.parse_args()
    n = 8 if args.quick else args.petitions
    work = Path(tempfile.mkdtemp(prefix="bench-ocr-"))
    (work / "raw").mkdir()
    (work / "clean").mkdir()
    print(f"generating {n} petitions in {work} …", flush=True)
    pages = make_set(work, n, args.seed)
    raw = [work / "raw" / f"{p['name']}.png" for p in pages]
    clean = [work / "clean" / f"{p['name']}.png" for p in pages]
    truth = {p["name"]: p["truth"] for p in pages}
    chars = sum(len(t) for t in truth.values())
    print(f"{len(pages)} pages, {chars / len(pages):.0f} characters per page on average", flush=True)

    runs: dict[str, list[tuple[float, dict[str, str], list[float], float]]] = {}

    def timed(name: str, fn, *fn_args):  # (wall, texts, secs, cpu seconds) into runs[name]
        cpu0 = _children_cpu()
        out = fn(*fn_args)
        runs.setdefault(name, []).append((out[0], out[1], out[2], _children_cpu() - cpu0))
        return out

    pipe_name, raw_name = "this pipeline (edge process), raw scans", "tesseract -l vie ×2, raw scans"
    ideal_name = "tesseract -l vie ×2, straight clean pages"
    firsts, peaks, tree_peaks = [], [], []
    for _ in range(max(1, args.repeat)):  # alternate, so outside load hits both alike
        _, _, _, peak, tree_peak, first = timed(pipe_name, run_pipeline, raw)
        firsts.append(first)
        peaks.append(peak)
        tree_peaks.append(tree_peak)
        timed(ideal_name, run_tesseract, clean)
    timed(raw_name, run_tesseract, raw)
    if not args.no_ocrmypdf and shutil.which("ocrmypdf"):
        timed("ocrmypdf --deskew --rotate-pages --jobs 2, raw", run_ocrmypdf, raw, work)
    order = [pipe_name, raw_name, ideal_name, *[k for k in runs if k.startswith("ocrmypdf")]]
    print()
    print(f"{'tool':52} {'pages/min':>9} {'median s/page':>13} {'CPU s/page':>10} {'CER':>7} "
          f"{'pages >5% CER':>13}")
    ppm: dict[str, float] = {}
    cpu: dict[str, float] = {}
    for name in order:
        done = sorted(runs[name], key=lambda r: r[0])
        wall, texts, secs, _ = done[len(done) // 2]  # the median run
        cers = [cer(texts.get(k, ""), v) for k, v in truth.items()]
        ppm[name] = 60 * len(pages) / wall
        cpu[name] = statistics.median(r[3] for r in done) / len(pages)
        bad = sum(c > 0.05 for c in cers)
        print(f"{name:52} {ppm[name]:9.1f} {statistics.median(secs):13.2f} {cpu[name]:10.2f} "
              f"{100 * sum(c * len(truth[k]) for c, k in zip(cers, truth, strict=True)) / chars:6.2f}% "
              f"{bad:13d}")
    print()
    ratios = [w_i / w_p for (w_p, *_), (w_i, *_) in zip(runs[pipe_name], runs[ideal_name], strict=True)]
    print(f"pipeline / ideal tesseract throughput: {ppm[pipe_name] / ppm[ideal_name]:.2f}× "
          f"(run by run: {', '.join(f'{r:.2f}' for r in ratios)}; by CPU time: "
          f"{cpu[ideal_name] / cpu[pipe_name]:.2f}×)")
    for name in order:
        if name.startswith("ocrmypdf"):
            print(f"pipeline / ocrmypdf throughput: {ppm[pipe_name] / ppm[name]:.2f}×")
    print(f"pipeline peak memory: edge process {max(peaks):.0f} MB, with its tesseract children "
          f"{max(tree_peaks):.0f} MB; first page out after {statistics.median(firsts):.1f} s")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
