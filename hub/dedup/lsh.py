"""LSH band index of MinHash signatures in the city index (table ``dedup_lsh``).

64 bands of 2 rows: a pair collides in some band with probability 1-(1-J^2)^64 —
0.92 at Jaccard 0.2, 0.9996 at 0.35. Two noisy scans of one letter at 8% OCR error
share only ~0.35-0.5 of their shingles, so the bands must be this sensitive. Form
phrases are already out of the signature (fingerprint v2) and bands won only by learned
template text are not indexed; buckets that still collect many documents are read only
in part, and candidates are ranked by the bands they share, each weighed by its rarity.
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
BUCKET_READ = 100
# Documents kept per lookup, those sharing the rarest bands first.
MAX_CANDIDATES = 100
# Bucket sizes are counted up to this: a bucket this full weighs next to nothing, and counting
# further was a seventh of a lookup at a million documents.
SIZE_LIMIT = 200


def band_keys(sig: np.ndarray) -> list[int]:
    """One 47-bit key per band, the band number mixed in."""
    rows = np.asarray(sig, dtype=np.uint64).reshape(BANDS, ROWS)
    keys = np.arange(1, BANDS + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    with np.errstate(over="ignore"):
        for r in range(ROWS):
            keys = (keys ^ rows[:, r]) * np.uint64(0x100000001B3)
            keys ^= keys >> np.uint64(29)
    return (keys >> np.uint64(17)).astype(np.int64).tolist()


def keys(sig: np.ndarray, template: np.ndarray | None = None) -> list[int]:
    """The band keys a document is indexed and looked up under: those of bands not won entirely
    by template shingles."""
    keys = band_keys(sig)
    if template is None or not template.any():
        return keys
    boiler = template.reshape(BANDS, ROWS).all(axis=1)
    return [k for k, b in zip(keys, boiler.tolist(), strict=True) if not b]


def add(db: sqlite_utils.Database, n: int, band_keys: list[int]) -> None:
    """Index document number ``n`` under its band :func:`keys`."""
    db.conn.executemany("insert or ignore into dedup_lsh (key, doc) values (?, ?)", [(k, n) for k in band_keys])


def candidates_sql(db: sqlite_utils.Database, n: int, band_keys: list[int]) -> tuple[str, list]:
    """An SQL subquery (and its parameters) giving the documents that best share the band :func:`keys`.

    Each shared band counts by how rare it is: a bucket of ``k`` documents gives each of
    them ``1/k``. A matter's own wording fills small buckets, so its copies rank first even
    in an index of millions where common phrasings fill large ones. Each bucket gives at
    most its ``BUCKET_READ`` newest members and the best ``MAX_CANDIDATES`` documents are
    kept, so a lookup's cost stays bounded. Template-only bands are left out; so is the
    document itself. The statement that reads the candidates' fingerprints runs this as
    its subquery, so the bucket rows never come back to Python.
    """
    if not band_keys:
        return "select null where 0", []
    sizes = db.conn.execute(
        "select " + ", ".join(["(select count(*) from (select 1 from dedup_lsh where key = ? limit ?))"] * len(band_keys)),
        [x for k in band_keys for x in (k, SIZE_LIMIT)]).fetchone()
    used = [(k, 1.0 / size) for k, size in zip(band_keys, sizes, strict=True) if size]
    if not used:
        return "select null where 0", []
    bucket = "select doc, ? as w from (select doc from dedup_lsh where key = ? order by doc desc limit ?)"
    sql = (f"select doc from ({' union all '.join([bucket] * len(used))}) where doc != ? "
           "group by doc order by sum(w) desc, doc desc limit ?")
    params = [x for k, w in used for x in (w, k, BUCKET_READ)]
    return sql, [*params, n, MAX_CANDIDATES]
