"""LSH band index of MinHash signatures in the city index (table ``dedup_lsh``).

64 bands of 2 rows: a pair collides in some band with probability 1-(1-J^2)^64 —
0.92 at Jaccard 0.2, 0.9996 at 0.35. Two noisy scans of one letter at 8% OCR error
share only ~0.35-0.5 of their shingles, so the bands must be this sensitive. Form
phrases are already out of the signature (fingerprint v2) and bands won only by learned
template text are not indexed; buckets that still collect many documents are read only
in part, and candidates are ranked by the number of bands they share.
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
# Members read per bucket (the newest): a bucket this full holds a template sentence or a
# collective petition, whose copies also share many other bands with each other.
BUCKET_READ = 30
# Documents kept per lookup, those sharing the most bands first.
MAX_CANDIDATES = 100


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


def candidates_sql(n: int, sig: np.ndarray, template: np.ndarray | None = None) -> tuple[str, list[int]]:
    """An SQL subquery (and its parameters) giving the documents sharing the most bands with ``sig``.

    Each bucket gives at most its ``BUCKET_READ`` newest members; the documents found are
    ranked by how many bands they share and the best ``MAX_CANDIDATES`` are kept, so a
    lookup costs the same in a template-heavy index of millions as in a small one. A
    matter's copies share many bands (a copy at Jaccard 0.3 shares about six of 64), while
    documents that met only in a template bucket share one. Template-only bands are left
    out; so is the document itself. The rows never come back to Python: the statement
    that reads the candidates' fingerprints runs this as its subquery.
    """
    keys = _useful(sig, template)
    if not keys:
        return "select null where 0", []
    bucket = "select doc from (select doc from dedup_lsh where key = ? order by doc desc limit ?)"
    sql = (f"select doc from ({' union all '.join([bucket] * len(keys))}) where doc != ? "
           "group by doc order by count(*) desc, doc desc limit ?")
    params = [x for k in keys for x in (k, BUCKET_READ)]
    return sql, [*params, n, MAX_CANDIDATES]


def candidates(db: sqlite_utils.Database, n: int, sig: np.ndarray, template: np.ndarray | None = None) -> list[int]:
    """Document numbers sharing a band with ``sig`` (template-only bands and overfull buckets skipped)."""
    sql, params = candidates_sql(n, sig, template)
    return sorted(r[0] for r in db.conn.execute(sql, params))
