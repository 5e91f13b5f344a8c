"""LSH band index of MinHash signatures in the city index (table ``dedup_lsh``).

64 bands of 2 rows: a pair collides in some band with probability 1-(1-J^2)^64 —
0.92 at Jaccard 0.2, 0.9996 at 0.35. Two noisy scans of one letter at 8% OCR error
share only ~0.35-0.5 of their shingles, so the bands must be this sensitive. Form
phrases are already out of the signature (fingerprint v2); a bucket that still collects
hundreds of documents holds a template sentence, not a matter, and is skipped.
One row per band: (key, doc) in a WITHOUT ROWID table, the band number mixed into a
47-bit key (a 6-byte SQLite integer; chance collisions between 64M keys stay < 1 in
1,000 lookups) and the document as a small integer — about 16 bytes per band on disk.
"""
from __future__ import annotations

import numpy as np
import sqlite_utils

from edge.fingerprint.minhash import NUM_PERM

BANDS = 64
ROWS = NUM_PERM // BANDS
# A bucket holding more documents than this is a template, not a matter (a real matter is
# handed in a few times, not hundreds): it is skipped when looking up candidates.
MAX_BUCKET = 200


def band_keys(sig: np.ndarray) -> list[int]:
    """One 47-bit key per band, the band number mixed in."""
    rows = np.asarray(sig, dtype=np.uint64).reshape(BANDS, ROWS)
    keys = np.arange(1, BANDS + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    with np.errstate(over="ignore"):
        for r in range(ROWS):
            keys = (keys ^ rows[:, r]) * np.uint64(0x100000001B3)
            keys ^= keys >> np.uint64(29)
    return (keys >> np.uint64(17)).astype(np.int64).tolist()


def _useful(sig: np.ndarray, template: np.ndarray | None) -> list[int]:
    """Band keys, leaving out bands whose every row was won by a template shingle."""
    keys = band_keys(sig)
    if template is None or not template.any():
        return keys
    boiler = template.reshape(BANDS, ROWS).all(axis=1)
    return [k for k, b in zip(keys, boiler.tolist(), strict=True) if not b]


def add(db: sqlite_utils.Database, n: int, sig: np.ndarray, template: np.ndarray | None = None) -> None:
    """Index document number ``n`` under its band keys (template-only bands left out)."""
    db.conn.executemany("insert or ignore into dedup_lsh (key, doc) values (?, ?)",
                        [(k, n) for k in _useful(sig, template)])


def candidates(db: sqlite_utils.Database, n: int, sig: np.ndarray, template: np.ndarray | None = None) -> list[int]:
    """Document numbers sharing a band with ``sig`` (template-only bands and overfull buckets skipped)."""
    keys = _useful(sig, template)
    if not keys:
        return []
    # One statement for all bands: each bucket read in SQLite up to MAX_BUCKET + 1 rows.
    sql = (f"with k(key) as (values {','.join(['(?)'] * len(keys))}) "
           "select (select group_concat(doc) from (select doc from dedup_lsh where key = k.key limit ?)) from k")
    found: set[int] = set()
    for (docs,) in db.conn.execute(sql, [*keys, MAX_BUCKET + 1]):
        if docs:
            ids = docs.split(",")
            if len(ids) <= MAX_BUCKET:
                found.update(map(int, ids))
    found.discard(n)
    return sorted(found)
