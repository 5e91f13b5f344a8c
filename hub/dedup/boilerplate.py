"""Boilerplate learned from the city index: shingles found in many documents.

Fingerprints already leave out the standard form phrases (``edge.fingerprint.boilerplate``),
but each office, topic and letter-writing service has its own template sentences. A
5-character shingle found in more than ``MIN_SHARE`` of a random sample of the index (and
in more than ``MIN_DOCS`` documents) is template text: verification weighs it by
``limit / df`` instead of 1, so a sentence in ten times as many letters as a matter's own
wording counts a tenth. A matter is handed in a few times, so its own wording keeps full
weight; the discount is soft so a re-typed copy that shares mostly template sentences
with its original still scores on what it shares.

The sample is bounded (``SAMPLE`` documents), so memory and refresh time do not grow with
the index; it is redrawn when the index has grown by a quarter.
"""
from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass, field

import numpy as np
import sqlite_utils

from edge.fingerprint.minhash import winners
from hub.dedup import recent
from hub.index.db import marks

log = logging.getLogger(__name__)

SAMPLE = 2000
MIN_SHARE = 0.01
MIN_DOCS = 10
GROWTH = 1.25
HASH_WEIGHT = 0.5
# Learned weights kept in memory per index (see :func:`_index_key`) with their generation.
_cache: dict[tuple, tuple[int, Weights]] = {}


def state(db: sqlite_utils.Database, key: str) -> int:
    """An integer of the dedup bookkeeping (``dedup_state``), 0 when unset."""
    row = db.execute("select value from dedup_state where key = ?", [key]).fetchone()
    return int(row[0]) if row else 0


def set_state(db: sqlite_utils.Database, key: str, value: int) -> None:
    """Set an integer of the dedup bookkeeping."""
    db.execute("insert or replace into dedup_state (key, value) values (?, ?)", [key, str(value)])


def refresh(db: sqlite_utils.Database, *, seed: int | None = None) -> int:
    """Recount shingles over a random sample of the index; return how many are boilerplate now."""
    began = time.perf_counter()
    total, top = db.execute("select count(*), coalesce(max(n), 0) from dedup_docs").fetchone()
    rng = random.Random(seed)
    if total <= SAMPLE:
        ns = [r[0] for r in db.execute("select n from dedup_docs")]
    else:
        ns = sorted(set(rng.sample(range(1, top + 1), min(top, SAMPLE * 2))))
    parts: list[np.ndarray] = []
    for i in range(0, len(ns), 500):
        chunk = ns[i:i + 500]
        for folded, sha in db.execute(f"select d.text_fold, d.text_sha256 from dedup_docs x join documents d "
                                      f"on d.doc_id = x.doc_id where x.n in ({marks(chunk)})", chunk):
            if len(parts) >= SAMPLE:
                break
            # Distinct per document, so counts are document frequencies.
            parts.append(recent.shingles(sha, lambda f=folded: f))
    got = len(parts)
    limit = max(MIN_DOCS, MIN_SHARE * got)
    if parts:
        all_codes, counts = np.unique(np.concatenate(parts), return_counts=True)
    else:
        all_codes, counts = np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
    hit = counts > limit
    codes, weights = all_codes[hit], limit / counts[hit]
    db.execute("delete from dedup_boilerplate")
    db.conn.executemany("insert into dedup_boilerplate (code, weight) values (?, ?)",
                        zip(codes.astype(np.int64).tolist(), weights.tolist(), strict=True))
    set_state(db, "boilerplate_docs", total)
    set_state(db, "boilerplate_gen", state(db, "boilerplate_gen") + 1)
    log.info("learned %d boilerplate shingles from %d of %d documents in %.2f s", codes.size, got, total,
             time.perf_counter() - began)
    return int(codes.size)


def maybe_refresh(db: sqlite_utils.Database) -> bool:
    """Refresh when the index has grown by ``GROWTH`` since the last count; True if it did."""
    last = state(db, "boilerplate_docs")
    total = db.execute("select coalesce(max(n), 0) from dedup_docs").fetchone()[0]
    if total >= max(last * GROWTH, last + 20):
        refresh(db)
        return True
    return False


def learned_from(db: sqlite_utils.Database) -> int:
    """How many documents the index held when the boilerplate was last learned."""
    return state(db, "boilerplate_docs")


def generation(db: sqlite_utils.Database) -> int:
    """How many times the boilerplate was learned (stamped on proposals)."""
    return state(db, "boilerplate_gen")


@dataclass(frozen=True)
class Weights:
    """Learned boilerplate: sorted shingle codes and their weights (< 1); others weigh 1.

    ``frequent`` holds the clearly frequent codes (weight ≤ ``HASH_WEIGHT``): a signature
    position won by one of them holds template text, so LSH and the MinHash pre-check skip it.
    """

    codes: np.ndarray
    weights: np.ndarray
    frequent: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.uint64))

    def template_mask(self, codes: np.ndarray) -> np.ndarray:
        """Boolean mask over a signature: the positions won by template text.

        ``codes`` are the text's sorted distinct shingles (``edge.fingerprint.minhash.shingles``),
        from which its signature was computed.
        """
        won = winners(codes)
        mask = np.zeros(won.shape, dtype=bool)
        if self.frequent.size and codes.size:
            c = codes[np.maximum(won, 0)]
            idx = np.minimum(np.searchsorted(self.frequent, c), self.frequent.size - 1)
            mask = (self.frequent[idx] == c) & (won >= 0)
        return mask

    def of(self, shingles: np.ndarray) -> np.ndarray:
        """Weight of each of the sorted distinct ``shingles``."""
        w = np.ones(shingles.size, dtype=np.float64)
        if self.codes.size and shingles.size:
            idx = np.minimum(np.searchsorted(self.codes, shingles), self.codes.size - 1)
            hit = self.codes[idx] == shingles
            w[hit] = self.weights[idx[hit]]
        return w


def _index_key(db: sqlite_utils.Database) -> tuple:
    """Which index a connection opened: its file and the random name stored in it at creation
    (``index_uid``), so a file made anew at the same path is another index. A connection's id
    is no key: after a close, another connection may get the same one. An index in memory has
    no file and is keyed by its connection."""
    row = db.execute("select value from dedup_state where key = 'index_uid'").fetchone()
    path = db.conn.execute("pragma database_list").fetchone()[2]
    return (path, row[0] if row else "") if path else ("memory", id(db.conn))


def forget(db: sqlite_utils.Database) -> None:
    """Drop the cached weights of this index (after a rollback undid a refresh)."""
    _cache.pop(_index_key(db), None)


NONE = Weights(np.empty(0, dtype=np.uint64), np.empty(0))


def current(db: sqlite_utils.Database) -> Weights:
    """The learned boilerplate weights (cached per index and generation)."""
    gen = state(db, "boilerplate_gen")
    key = _index_key(db)
    hit = _cache.get(key)
    if hit and hit[0] == gen:
        return hit[1]
    rows = db.execute("select code, weight from dedup_boilerplate").fetchall()
    codes = np.array([r[0] for r in rows], dtype=np.int64).astype(np.uint64)
    weights = np.array([r[1] for r in rows], dtype=np.float64)
    order = np.argsort(codes)
    codes, weights = codes[order], weights[order]
    w = Weights(codes, weights, codes[weights <= HASH_WEIGHT])
    _cache[key] = (gen, w)
    return w
