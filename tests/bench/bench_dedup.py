"""Duplicate detection benchmark: quality on a labelled corpus, speed and size at scale.

    python -m tests.bench.bench_dedup            # full: 400 matters ×2 noise levels, 1,000,000-document index
    python -m tests.bench.bench_dedup --quick    # 120 matters, 100,000-document index
    python -m tests.bench.bench_dedup --skip-quality --keep-index /var/tmp/city-1m.db   # build once, re-measure
    python -m tests.bench.bench_dedup --skip-scale --real-ocr /var/tmp/realocr   # printed, scanned, real OCR
    python -m tests.bench.bench_dedup --skip-scale --seed 11 --digit-swaps 0.3   # model and rules side by side
    python -m tests.bench.bench_dedup --skip-scale --corpus independent          # the independent corpus

Quality: the project's generator writes originals, rescans, re-sent, edited and
cover-page copies and hard negatives (same citizen other matter; same template other
person); every document is passed through simulated OCR noise (tests/bench/_noise.py) at
3% and 8% (``--rates``; ``--digit-swaps``, ``--reflow`` for digits read as other digits and
lost line breaks), stored and matched in a fresh city index exactly as kiosk documents
are, once with the fitted model deciding and once with the previous rule chain
(``--matcher``). The proposed pairs (pairwise) and the pairs of ``python -m hub
duplicates`` (clustered) are scored against the labels, with the hard negatives merged and
a reliability table of the model's probability (deciles against the observed share of true
pairs). The references run on the same noisy texts: plain character 5-gram Jaccard of the
folded text over every pair at its best fixed threshold for that very corpus (an oracle),
and datasketch MinHashLSH (threshold 0.5, 128 permutations, character 5-grams of the plain
text; its pairs are the query answers). The bench's seeds (5, 11) are not among those the
model was fitted on (``python -m hub dedup fit``: 1000 and up). ``--corpus independent``
reports on the independently written corpus, which nothing is fitted or tuned on. With ``--real-ocr`` the texts are instead what the appliance's page
pipeline and Tesseract read from the corpus typeset and scan-simulated by samplegen
(``_real_ocr``): slower (about two pages a second), so fewer matters, cached on disk.

Scale: an index of N documents (generated petitions with their fingerprints computed
beforehand, as kiosks send them) is built with the hub's own insert and matching, then
timed: insert-with-matching rate over the last documents, duplicate lookup latency, and
bytes per document of fingerprint, band and identity storage (SQLite dbstat).
"""
from __future__ import annotations

import argparse
import itertools
import json
import random
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.bench._noise import ocr_noise


@dataclass(frozen=True)
class Doc:
    name: str
    matter: str
    citizen: str
    variant: str
    text: str


def labelled_corpus(matters: int, seed: int) -> list[Doc]:
    """Ground-truth texts of the generator's labelled corpus (same plan as samplegen.corpus, no rendering)."""
    from samplegen import variants as v
    from samplegen.layout import layout_pages
    from samplegen.petition import make_petition

    docs: list[Doc] = []
    for m in range(1, matters + 1):
        rng = random.Random(f"samplegen:{seed}:{m}")
        mid, cid = f"matter-{m:04d}", f"citizen-{m:04d}"
        orig = make_petition(rng)
        docs.append(Doc(f"m{m:04d}-original", mid, cid, "original", orig.text))
        for variant in v.ALL:
            vr = random.Random(f"samplegen:{seed}:{m}:{variant}")
            name = f"m{m:04d}-{variant}"
            if variant == "rescan":
                docs.append(Doc(name, mid, cid, variant, orig.text))
            elif variant == "resent":
                docs.append(Doc(name, mid, cid, variant, v.resend(orig, vr).text))
            elif variant == "edited":
                docs.append(Doc(name, mid, cid, variant, v.edit(orig, vr).text))
            elif variant == "cover":
                n = len(layout_pages(orig.text, dpi=100))
                cover = layout_pages(v.cover_letter(orig, vr, pages=n), dpi=100)[0].text
                docs.append(Doc(name, mid, cid, variant, cover + "\f" + orig.text))
            elif variant == "same_citizen_other_matter":
                docs.append(Doc(name, f"{mid}-b", cid, variant, v.other_matter(orig, vr).text))
            elif variant == "same_template_other_person":
                docs.append(Doc(name, f"{mid}-c", f"{cid}-c", variant, v.other_person(orig, vr).text))
    return docs


def _pairs_from_groups(groups: list[list[str]]) -> set[frozenset[str]]:
    return {frozenset(p) for g in groups for p in itertools.combinations(g, 2)}


def _score(pred: set[frozenset[str]], truth: set[frozenset[str]]) -> tuple[float, float, float]:
    tp = len(pred & truth)
    p = tp / len(pred) if pred else 1.0
    r = tp / len(truth) if truth else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def run_project(docs: list[Doc], texts: dict[str, str], workdir: Path, matcher: str) -> dict:
    """Store and match every noisy document in a fresh index with ``matcher`` (model | rules)."""
    from edge.fingerprint import fingerprint
    from edge.fingerprint.identity import identity_keys
    from hub.dedup import clusters, match_document
    from hub.dedup.match import finish_recheck
    from hub.index import open_index
    from hub.index.documents import NewDocument, insert_document

    db = open_index(workdir / f"quality-{matcher}.db")
    scored: dict[frozenset[str], float] = {}

    def observe(doc_id, other, f, sc):
        scored[frozenset((doc_id, other["doc_id"]))] = sc.probability

    times = []
    for d in docs:
        text = texts[d.name]
        with db.conn:
            insert_document(db, NewDocument(doc_id=d.name, source="import", text=text,
                                             fingerprint=fingerprint(text), identity_keys=identity_keys(text),
                                             page_count=text.count("\f") + 1))
            t0 = time.perf_counter()
            match_document(db, d.name, matcher=matcher, observer=observe)
            times.append(time.perf_counter() - t0)
    finish_recheck(db)
    links = {frozenset((a, b)) for a, b in db.execute("select doc_a, doc_b from citizen_links")}
    pairwise = {frozenset((a, b)) for a, b in db.execute(
        "select doc_a, doc_b from duplicate_pairs where decision in ('proposed', 'confirmed')")}
    times.sort()
    return {"pairs": pairwise, "clustered": _pairs_from_groups(clusters(db)), "links": links, "scored": scored,
            "ms_p50": times[len(times) // 2] * 1e3, "ms_p99": times[min(len(times) - 1, int(len(times) * 0.99))] * 1e3,
            "ms_mean": sum(times) / len(times) * 1e3}


def run_datasketch(docs: list[Doc], texts: dict[str, str]) -> tuple[set, float]:
    """datasketch MinHashLSH, threshold 0.5, 128 permutations, character 5-grams of the plain text."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    pairs: set[frozenset[str]] = set()
    t0 = time.perf_counter()
    for d in docs:
        t = " ".join(texts[d.name].split())
        m = MinHash(num_perm=128)
        m.update_batch([t[i:i + 5].encode("utf-8") for i in range(max(1, len(t) - 4))])
        for other in lsh.query(m):
            pairs.add(frozenset((d.name, other)))
        lsh.insert(d.name, m)
    return pairs, (time.perf_counter() - t0) / len(docs)


def run_jaccard(docs: list[Doc], texts: dict[str, str], truth: set) -> tuple[set, float, float]:
    """Plain character 5-gram Jaccard on folded text over every pair, at its best fixed threshold
    for this very corpus (an oracle: it is chosen with the labels it is scored on)."""
    from edge.fingerprint.normalize import fold

    t0 = time.perf_counter()
    grams = {}
    for d in docs:
        f = " ".join(fold(texts[d.name]).split())
        grams[d.name] = {f[i:i + 5] for i in range(max(1, len(f) - 4))}
    sims = {}
    names = [d.name for d in docs]
    for x, y in itertools.combinations(names, 2):
        gx, gy = grams[x], grams[y]
        inter = len(gx & gy)
        if inter:
            sims[frozenset((x, y))] = inter / (len(gx) + len(gy) - inter)
    best, best_t = (-1.0, set()), 0.5
    for t in [i / 100 for i in range(10, 96)]:
        pred = {p for p, v in sims.items() if v >= t}
        f1 = _score(pred, truth)[2]
        if f1 > best[0]:
            best, best_t = (f1, pred), t
    return best[1], best_t, (time.perf_counter() - t0) / len(docs)


def _reliability(scored: dict[frozenset[str], float], truth: set) -> list[dict]:
    """Predicted probability by decile against the observed share of true pairs."""
    rows = []
    for k in range(10):
        lo, hi = k / 10, (k + 1) / 10
        got = [p in truth for p, v in scored.items() if lo <= v < hi or (k == 9 and v == 1.0)]
        mean = [v for p, v in scored.items() if lo <= v < hi or (k == 9 and v == 1.0)]
        rows.append({"decile": f"{lo:.1f}-{hi:.1f}", "pairs": len(got),
                     "predicted": sum(mean) / len(mean) if mean else float("nan"),
                     "observed": sum(got) / len(got) if got else float("nan")})
    return rows


def _evaluate(docs: list[Doc], texts: dict[str, str], label: str, explain: bool, matchers: tuple[str, ...],
              truth: set | None = None, hard: set | None = None, citizen_truth: set | None = None,
              reliability: list | None = None) -> list[dict]:
    """Match ``texts`` with this project and the reference tools; score all against the labels."""
    by = {d.name: d for d in docs}
    if truth is None:
        truth = {frozenset((a.name, b.name)) for a, b in itertools.combinations(docs, 2) if a.matter == b.matter}
        citizen_truth = {frozenset((a.name, b.name)) for a, b in itertools.combinations(docs, 2)
                         if a.citizen == b.citizen and a.matter != b.matter}
        hard = {frozenset((a.name, b.name)) for a, b in itertools.combinations(docs, 2)
                if a.matter.split("-b")[0].split("-c")[0] == b.matter.split("-b")[0].split("-c")[0]
                and a.matter != b.matter}
    rows = []

    def row(tool, pred, clustered, ms, links=None, ms_p99=None):
        p, r, f = _score(pred, truth)
        cp, cr, cf = _score(clustered, truth) if clustered is not None else (float("nan"),) * 3
        rows.append({"noise": label, "tool": tool, "docs": len(docs), "true_pairs": len(truth),
                     "precision": p, "recall": r, "f1": f, "c_precision": cp, "c_recall": cr, "c_f1": cf,
                     "hard_neg_merged": len((clustered if clustered is not None else pred) & hard),
                     "ms_per_doc": ms, "ms_p99": ms_p99 if ms_p99 is not None else float("nan"),
                     "citizen_links": f"{len(links & citizen_truth)}/{len(citizen_truth)}" if links is not None else "—"})

    for matcher in matchers:
        with tempfile.TemporaryDirectory() as tmp:
            res = run_project(docs, texts, Path(tmp), matcher)
        row(f"donthu {matcher}", res["pairs"], res["clustered"], res["ms_mean"], res["links"], res["ms_p99"])
        if matcher == "model" and reliability is not None:
            reliability += [{"noise": label, **r} for r in _reliability(res["scored"], truth)]
        if explain:
            from collections import Counter
            fn = Counter(tuple(sorted(by[x].variant for x in pr)) for pr in truth - res["clustered"])
            fp = Counter(tuple(sorted(by[x].variant for x in pr)) for pr in res["clustered"] - truth)
            print(f"  {matcher} noise {label} missed: {dict(fn)}\n  {matcher} noise {label} wrong: {dict(fp)}")
    jac, t, s_jac = run_jaccard(docs, texts, truth)
    row(f"5-gram Jaccard ≥{t:.2f}*", jac, None, s_jac * 1e3)
    try:
        theirs, s_theirs = run_datasketch(docs, texts)
        row("datasketch MinHashLSH", theirs, None, s_theirs * 1e3)
    except ImportError:
        print("  (datasketch is not installed: pip install '.[bench]')")
    return rows


def quality(matters: int, seed: int, rates: tuple[float, ...], explain: bool, digit_swaps: float = 0.0,
            matchers: tuple[str, ...] = ("model", "rules"), reflow: float = 0.0,
            reliability: list | None = None) -> list[dict]:
    """The tools on the labelled corpus under simulated OCR noise at each of ``rates`` (``reflow``:
    the share of texts whose line breaks are lost)."""
    docs = labelled_corpus(matters, seed)
    random.Random(seed).shuffle(docs)
    rows = []
    for rate in rates:
        rng = random.Random(f"noise:{seed}:{rate}")
        texts = {}
        for d in docs:
            t = ocr_noise(d.text, rate, rng, digit_swaps)
            texts[d.name] = " ".join(t.split("\n")) if reflow and rng.random() < reflow else t
        rows += _evaluate(docs, texts, f"{rate:.0%}", explain, matchers, reliability=reliability)
    return rows


def independent_quality(explain: bool, matchers: tuple[str, ...], reliability: list | None = None) -> list[dict]:
    """The tools on the independently written corpus (``tests.bench.independent``), reported only:
    nothing is fitted or tuned on it."""
    from tests.bench.independent import CORPORA, load_corpus

    rows = []
    for name in CORPORA:
        c = load_corpus(name)
        docs = [Doc(d.doc_id, f"{d.matter_id}", ",".join(sorted(d.citizen_ids)), d.variant, d.text) for d in c.docs]
        texts = {d.doc_id: d.text for d in c.docs}
        rows += _evaluate(docs, texts, name, explain, matchers, truth=set(c.positive_pairs()),
                          hard=set(c.hard_negative_pairs()), citizen_truth=set(c.same_citizen_pairs()),
                          reliability=reliability)
    return rows


def real_quality(matters: int, seed: int, scan_noise: tuple[float, ...], cache: Path, explain: bool,
                 dpi: int = 300) -> list[dict]:
    """Both tools on the labelled corpus printed, scanned and read by the appliance's pipeline."""
    from tests.bench._real_ocr import corpus_texts

    rows = []
    for noise in scan_noise:
        labelled, texts = corpus_texts(matters, seed, noise, cache, dpi)
        docs = [Doc(d["name"], d["matter"], d["citizen"], d["variant"], d["truth"]) for d in labelled]
        random.Random(seed).shuffle(docs)
        rows += _evaluate(docs, texts, f"scan {noise:g}, {dpi} dpi", explain, ("model", "rules"))
    return rows


def _table(rows: list[dict], cols: list[tuple[str, str, str]]) -> str:
    head = " | ".join(h for h, _, _ in cols)
    lines = [head, " | ".join("-" * len(h) for h, _, _ in cols)]
    for r in rows:
        lines.append(" | ".join(format(r[k], f) if f else str(r[k]) for _, k, f in cols))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.bench.bench_dedup", description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="120 matters, 100,000-document index")
    ap.add_argument("--matters", type=int, help="matters in the labelled corpus (default 400, quick 120)")
    ap.add_argument("--index-docs", type=int, help="documents in the scale index (default 1,000,000)")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--skip-scale", action="store_true", help="quality tables only")
    ap.add_argument("--keep-index", type=Path, metavar="PATH",
                    help="build the scale index at PATH once and reuse it on later runs (measured on a copy)")
    ap.add_argument("--skip-quality", action="store_true", help="scale table only")
    ap.add_argument("--explain", action="store_true", help="print which variants were missed or wrongly merged")
    ap.add_argument("--digit-swaps", type=float, default=0.0, metavar="SHARE",
                    help="also read a digit as another digit in this share of a digit's errors (e.g. 0.3)")
    ap.add_argument("--real-ocr", type=Path, metavar="CACHE",
                    help="quality on the corpus printed, scanned and read by Tesseract through the appliance's "
                         "pipeline (default 40 matters; pages and texts kept under CACHE), instead of simulated noise")
    ap.add_argument("--scan-noise", type=float, nargs="+", default=[0.5, 1.0], metavar="LEVEL",
                    help="scan noise levels for --real-ocr (samplegen: 0.5 typical kiosk, 1.0 poor)")
    ap.add_argument("--scan-dpi", type=int, default=300, metavar="DPI", help="scan resolution for --real-ocr")
    ap.add_argument("--json", action="store_true", help="print the rows as JSON too")
    ap.add_argument("--matcher", choices=("both", "model", "rules"), default="both",
                    help="which decision to measure: the fitted model, the previous rule chain, or both")
    ap.add_argument("--reflow", type=float, default=0.0, metavar="SHARE",
                    help="lose the line breaks of this share of the texts (e.g. 0.3)")
    ap.add_argument("--rates", type=float, nargs="+", default=[0.03, 0.08], metavar="RATE",
                    help="simulated character error rates (default 0.03 0.08)")
    ap.add_argument("--corpus", choices=("samplegen", "independent"), default="samplegen",
                    help="the generator's labelled corpus, or the independently written one (reported only)")
    args = ap.parse_args(argv)
    matters = args.matters or (120 if args.quick else 400)
    out: dict = {}
    if not args.skip_quality:
        matchers = ("model", "rules") if args.matcher == "both" else (args.matcher,)
        reliability: list[dict] = []
        if args.corpus == "independent":
            try:
                rows = independent_quality(args.explain, matchers, reliability)
            except ImportError:
                print("\nThe independent corpus (tests/bench/independent) is not in this checkout: "
                      "nothing to report on it.")
                return 1
            how = "independent corpus (never fitted or tuned on)"
        elif args.real_ocr:
            matters = args.matters or 40
            rows = real_quality(matters, args.seed, tuple(args.scan_noise), args.real_ocr, args.explain,
                                args.scan_dpi)
            how = "printed, scanned and read by Tesseract"
        else:
            rows = quality(matters, args.seed, tuple(args.rates), args.explain, args.digit_swaps, matchers,
                           args.reflow, reliability)
            swaps = f", {args.digit_swaps:.0%} of digit errors a digit read as another" if args.digit_swaps else ""
            flow = f", {args.reflow:.0%} of texts reflowed" if args.reflow else ""
            how = f"simulated OCR noise{swaps}{flow}, seed {args.seed}"
        out["quality"] = rows
        size = f"{rows[0]['docs']} documents" if args.corpus == "independent" else f"{matters} matters × 7 documents"
        print(f"\nQuality, {size}, {how}; P/R/F1 pairwise (proposed pairs) and "
              "clustered (c, pairs of the clusters); * threshold chosen on these very labels\n")
        print(_table(rows, [("noise", "noise", ""), ("tool", "tool", "<22"), ("P", "precision", ".4f"),
                            ("R", "recall", ".4f"), ("F1", "f1", ".4f"), ("cP", "c_precision", ".4f"),
                            ("cR", "c_recall", ".4f"), ("cF1", "c_f1", ".4f"), ("true pairs", "true_pairs", ""),
                            ("hard neg merged", "hard_neg_merged", ""),
                            ("same-citizen links", "citizen_links", ""), ("ms/doc", "ms_per_doc", ".2f"),
                            ("p99 ms", "ms_p99", ".1f")]))
        if reliability:
            out["reliability"] = reliability
            print("\nReliability of the model's probability (every candidate pair it scored)\n")
            print(_table(reliability, [("noise", "noise", ""), ("predicted", "decile", ""), ("pairs", "pairs", ""),
                                       ("mean predicted", "predicted", ".3f"), ("observed", "observed", ".3f")]))
    if not args.skip_scale:
        from tests.bench._scale import scale

        n = args.index_docs or (100_000 if args.quick else 1_000_000)
        res = scale(n, seed=args.seed, keep=args.keep_index)
        out["scale"] = res
        print(f"\nScale, {n:,} documents in one index (one core)\n")
        print(_table(res, [("measure", "measure", "<44"), ("value", "value", ""), ("target", "target", "")]))
    if args.json:
        print(json.dumps(out, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
