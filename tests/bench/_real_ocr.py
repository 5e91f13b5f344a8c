"""Real OCR for bench_dedup: the labelled corpus printed, scanned and read as a kiosk reads it.

The simulated noise of ``_noise`` is character edits on the generator's text. Here the
generator's labelled corpus is typeset in its fonts and sizes, scanned by the scan simulator
(skew, blur, speckle, lid edges, JPEG; ``noise`` as samplegen's: 0.5 a typical kiosk, 1.0 a
poor one) and every page goes through the appliance's own page pipeline (deskew, clean,
Tesseract ``vie``), so the errors are Tesseract's own: which characters, digits and line
breaks it gets wrong, and how often, rather than a model of them.

Pages are read in two worker processes (``OMP_THREAD_LIMIT=1``, one Tesseract each) and the
texts are kept in ``ocr.json`` beside the corpus, so a second run with the same matters,
seed, noise and resolution reads no page again (a page the pipeline failed is read again).
"""
from __future__ import annotations

import json
import multiprocessing
import os
import sys
import time
from pathlib import Path

WORKERS = 2


def _init() -> None:
    os.environ["OMP_THREAD_LIMIT"] = "1"


def _read(job: tuple[str, int]) -> tuple[str, str, str]:
    """One page file (and its resolution) → (path, text, failure code or "")."""
    from edge.pipeline import PageFailed, PipelineContext, process_page

    path, dpi = job
    page = process_page(Path(path).read_bytes(), source=path, ctx=PipelineContext(dpi=dpi))
    if isinstance(page, PageFailed):
        return path, "", page.code
    return path, page.text, ""


def corpus_texts(matters: int, seed: int, noise: float, cache: Path, dpi: int = 300) -> tuple[list[dict], dict[str, str]]:
    """The labelled documents (name, matter, citizen, variant) and each one's OCR text, pages
    joined by a form feed as a kiosk sends them; rendered and read once per ``cache``."""
    from samplegen.corpus import Manifest, generate_corpus

    root = cache / f"corpus-m{matters}-s{seed}-n{noise:g}-d{dpi}"
    if not (root / "manifest.json").exists():
        t0 = time.perf_counter()
        print(f"  rendering {matters} matters at scan noise {noise:g}, {dpi} dpi into {root}", file=sys.stderr, flush=True)
        generate_corpus(root, matters=matters, seed=seed, noise=noise, dpi=dpi, workers=WORKERS)
        print(f"  rendered in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    manifest = Manifest.load(root)
    texts_file = root / "ocr.json"
    pages: dict[str, str] = json.loads(texts_file.read_text(encoding="utf-8")) if texts_file.exists() else {}
    todo = [p.file for d in manifest.documents for p in d.pages if p.file not in pages]
    if todo:
        t0 = time.perf_counter()
        failed = 0
        ctx = multiprocessing.get_context("spawn")
        with ctx.Pool(WORKERS, initializer=_init) as pool:
            for k, (path, text, code) in enumerate(pool.imap_unordered(_read, [(str(root / f), dpi) for f in todo], chunksize=1), 1):
                if code:
                    failed += 1
                else:
                    pages[str(Path(path).relative_to(root))] = text
                print(f"\r  OCR {k}/{len(todo)} pages", end="", file=sys.stderr, flush=True)
                if k % 50 == 0:  # an interrupted run keeps what it read
                    texts_file.write_text(json.dumps(pages, ensure_ascii=False), encoding="utf-8")
        texts_file.write_text(json.dumps(pages, ensure_ascii=False), encoding="utf-8")
        print(f"\n  read {len(todo)} pages in {time.perf_counter() - t0:.0f} s ({failed} failed)", file=sys.stderr)
    docs = [{"name": d.name, "matter": d.matter_id, "citizen": d.citizen_id, "variant": d.variant,
             "truth": d.text} for d in manifest.documents]
    texts = {d.name: "\f".join(pages.get(p.file, "") for p in d.pages) for d in manifest.documents}
    return docs, texts
