"""Scores duplicate finders on the independent corpora, black-box.

``python -m tests.bench.independent.score [--corpus NAME ...]`` prints, for each corpus, one
table: this project's matcher run as a user runs it (``hub import`` of the exported .txt files,
then ``hub duplicates``), plain folded character 5-gram Jaccard and datasketch's MinHashLSH.
"""
from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from . import CORPORA, Corpus, load_corpus
from .export import export

ROOT = Path(__file__).resolve().parents[3]
Pair = frozenset


def fold(text: str) -> str:
    """Lower case, no diacritics (NFD, đ -> d), letters and digits only."""
    nfd = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return "".join(ch for ch in nfd if ch.isalnum() and not unicodedata.combining(ch))


def shingles(text: str, k: int = 5) -> set[str]:
    """Character k-grams of the folded text."""
    f = fold(text)
    return {f[i:i + k] for i in range(max(1, len(f) - k + 1))}


def closure(ids: Iterable[str], pairs: Iterable[Pair]) -> set[Pair]:
    """All pairs inside the connected components of ``pairs`` (transitive closure)."""
    parent = {i: i for i in ids}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for p in pairs:
        a, b = tuple(p)
        parent[find(a)] = find(b)
    groups: dict[str, list[str]] = {}
    for i in parent:
        groups.setdefault(find(i), []).append(i)
    return {Pair(p) for g in groups.values() for p in itertools.combinations(g, 2)}


@dataclass
class Row:
    method: str
    pairs: set
    clustered: set
    note: str = ""


def prf(pred: set, gold: set) -> tuple[float, float, float]:
    """Precision, recall and F1 of predicted pairs."""
    tp = len(pred & gold)
    p = tp / len(pred) if pred else 1.0
    r = tp / len(gold) if gold else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def run_hub(c: Corpus, work: Path) -> tuple[Row, Row, float, int]:
    """The project's matcher as a user runs it; returns cluster and edge rows, seconds, errors."""
    paths = export(c, work / "txt")
    db = work / "index.sqlite"
    t0 = time.monotonic()
    imp = subprocess.run([sys.executable, "-m", "hub", "import", "--db", str(db), "--json",
                          *map(str, paths)], cwd=ROOT, capture_output=True, text=True, timeout=3600)
    seconds = time.monotonic() - t0
    by_docid: dict[str, str] = {}
    edges_raw: list[tuple[str, list[str]]] = []
    errors = 0
    for line in imp.stdout.splitlines():
        rec = json.loads(line)
        if "error" in rec:
            errors += 1
            continue
        mine = Path(rec["source"]).stem
        by_docid[rec["document_id"]] = mine
        edges_raw.append((mine, rec["duplicate_of"]))
    if imp.returncode not in (0, 1) or not by_docid:
        raise RuntimeError(f"hub import failed ({imp.returncode}): {imp.stderr[-2000:]}")
    edges = {Pair((a, by_docid[b])) for a, bs in edges_raw for b in bs if b in by_docid and by_docid[b] != a}
    dup = subprocess.run([sys.executable, "-m", "hub", "duplicates", "--db", str(db), "--json"],
                         cwd=ROOT, capture_output=True, text=True, timeout=600, check=True)
    clusters = json.loads(dup.stdout)["clusters"]
    cpairs = {Pair((by_docid[a], by_docid[b])) for cl in clusters
              for a, b in itertools.combinations(cl["documents"], 2) if a in by_docid and b in by_docid}
    ids = [d.doc_id for d in c.docs]
    return (Row("hub duplicates (clusters)", cpairs, cpairs),
            Row("hub import duplicate_of edges", edges, closure(ids, edges)), seconds, errors)


def jaccard_rows(c: Corpus, sets: dict[str, set[str]], gold: set) -> list[Row]:
    """All-pairs 5-gram Jaccard at the oracle threshold (best F1, chosen on the labels) and at 0.5."""
    ids = [d.doc_id for d in c.docs]
    sims = []
    for a, b in itertools.combinations(ids, 2):
        sa, sb = sets[a], sets[b]
        inter = len(sa & sb)
        sims.append((inter / (len(sa) + len(sb) - inter), Pair((a, b))))
    sims.sort(key=lambda x: -x[0])
    best, best_t, tp = (-1.0, 1.0), 1.0, 0
    for n, (s, p) in enumerate(sims, 1):
        tp += p in gold
        f1 = 2 * tp / (n + len(gold))
        if f1 > best[0]:
            best, best_t = (f1, s), s
    rows = []
    for label, t in ((f"5-gram Jaccard >= {best_t:.3f} (oracle)", best_t), ("5-gram Jaccard >= 0.5", 0.5)):
        pred = {p for s, p in sims if s >= t}
        rows.append(Row(label, pred, closure(ids, pred)))
    return rows


def minhash_rows(c: Corpus, sets: dict[str, set[str]]) -> list[Row]:
    """datasketch MinHashLSH (threshold 0.5, 128 permutations): its candidates, then checked."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    hashes = {}
    for d in c.docs:
        m = MinHash(num_perm=128, seed=1)
        m.update_batch([s.encode("utf-8") for s in sorted(sets[d.doc_id])])
        hashes[d.doc_id] = m
        lsh.insert(d.doc_id, m)
    pred = {Pair((a, b)) for a, m in hashes.items() for b in lsh.query(m) if b != a}
    # LSH candidates are usually checked against the estimated Jaccard before being believed
    checked = {p for p in pred if hashes[min(p)].jaccard(hashes[max(p)]) >= 0.5}
    ids = list(hashes)
    return [Row("datasketch MinHashLSH t=0.5 (128 perm)", pred, closure(ids, pred)),
            Row("  same, candidates with est. J >= 0.5", checked, closure(ids, checked))]


def table(c: Corpus, rows: list[Row]) -> str:
    """The corpus's score table."""
    gold, hard = c.positive_pairs(), c.hard_negative_pairs()
    head = (f"{'method':<40} {'P':>6} {'R':>6} {'F1':>6} {'HN':>4} | {'cl.P':>6} {'cl.R':>6} "
            f"{'cl.F1':>6} {'cl.HN':>5}  {'pairs':>6}")
    out = [head, "-" * len(head)]
    for r in rows:
        p, rc, f = prf(r.pairs, gold)
        cp, cr, cf = prf(r.clustered, gold)
        out.append(f"{r.method:<40} {p:6.3f} {rc:6.3f} {f:6.3f} {len(r.pairs & hard):4d} | {cp:6.3f} "
                   f"{cr:6.3f} {cf:6.3f} {len(r.clustered & hard):5d}  {len(r.pairs):6d}")
    return "\n".join(out)


def by_kind(c: Corpus, rows: list[Row]) -> str:
    """Recall of original-copy pairs by kind of copy, and wrong matches by kind of look-alike."""
    first = {d.matter_id: d.doc_id for d in c.docs if d.variant == "original"}
    kinds = sorted({d.variant for d in c.docs} - {"original"})
    pairs = {k: {Pair((first[d.matter_id], d.doc_id)) for d in c.docs if d.variant == k} for k in kinds}
    hk = c.hard_negative_kinds()
    hkinds = sorted(set(hk.values()))
    out = [f"{'recall original-copy pairs':<40} " + " ".join(f"{k:>11}" for k in kinds),
           f"{'  (number of pairs)':<40} " + " ".join(f"{len(pairs[k]):>11}" for k in kinds)]
    for r in rows:
        out.append(f"{r.method:<40} " + " ".join(f"{len(r.pairs & pairs[k]) / len(pairs[k]):11.3f}" for k in kinds))
    out += ["", f"{'hard negatives matched (pairwise)':<40} " + " ".join(f"{k:>22}" for k in hkinds),
            f"{'  (number of pairs)':<40} " + " ".join(f"{sum(v == k for v in hk.values()):>22}" for k in hkinds)]
    for r in rows:
        out.append(f"{r.method:<40} " + " ".join(
            f"{sum(1 for p in r.pairs if hk.get(p) == k):>22}" for k in hkinds))
    return "\n".join(out)


def score(name: str) -> str:
    """The report for one corpus."""
    c = load_corpus(name)
    gold = c.positive_pairs()
    with tempfile.TemporaryDirectory(prefix="donthu-score-") as tmp:
        hub_cl, hub_edges, seconds, errors = run_hub(c, Path(tmp))
    sets = {d.doc_id: shingles(d.text) for d in c.docs}
    rows = [hub_cl, hub_edges, *jaccard_rows(c, sets, gold), *minhash_rows(c, sets)]
    lab = c.labels["counts"]
    head = (f"== {name}: {lab['documents']} documents, {lab['matters']} matters, {len(gold)} positive "
            f"pairs, {len(c.hard_negative_pairs())} hard-negative pairs, {len(c.same_citizen_pairs())} "
            f"same-citizen pairs; noise {c.labels['noise']['rate_range']}, reflowed share "
            f"{c.labels['noise']['reflow_share']}\n   hub import: {seconds:.1f} s for all files in one "
            f"process, {errors} files refused")
    legend = ("P/R/F1: pairwise on the method's matched pairs; HN: labelled hard-negative pairs matched; "
              "cl.*: the same on the transitive closure (clusters). The oracle threshold is chosen "
              "afterwards on these labels, so it is an upper bound, not a result.")
    return "\n".join([head, table(c, rows), "", by_kind(c, rows), legend, ""])


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    ap = argparse.ArgumentParser(prog="python -m tests.bench.independent.score",
                                 description="Score duplicate finders on the independent corpora.")
    ap.add_argument("--corpus", action="append", choices=CORPORA,
                    help="corpus to score (repeatable; default: all)")
    args = ap.parse_args(argv)
    for name in args.corpus or CORPORA:
        print(score(name), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
