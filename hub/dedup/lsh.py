"""LSH band index of MinHash signatures in the city index (tables ``dedup_lsh``, ``dedup_lsh_hot``).

64 bands of 2 rows: a pair collides in some band with probability 1-(1-J^2)^64 —
0.92 at Jaccard 0.2, 0.9996 at 0.35. Two noisy scans of one letter at 8% OCR error
share only ~0.35-0.5 of their shingles, so the bands must be this sensitive. Form
phrases are already out of the signature (fingerprint v2) and bands won only by learned
template text are not indexed. A bucket that fills up to ``HOT`` documents holds a common
phrasing, like a stop word: it is marked hot, emptied and no longer indexed or read (at a
million generated petitions, 10,000 of 1.4M buckets, holding half of all band rows).
Candidates are ranked by the bands they share, each weighed by its rarity.
One row per band: (key, doc) in a WITHOUT ROWID table, the band number mixed into a
47-bit key (a 6-byte SQLite integer; chance collisions between 64M keys stay < 1 in
1,000 lookups) and the document as a small integer — about 16 bytes per band on disk.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sqlite_utils

from edge.fingerprint.minhash import NUM_PERM
from hub.index.db import marks

BANDS = 64
ROWS = NUM_PERM // BANDS
# A bucket shared by this many documents is a common phrasing: a document in it weighs 1/200
# of a band, and a matter's own wording fills buckets far smaller. Reading such buckets was
# most of a lookup at a million documents.
HOT = 200
# Documents kept per lookup, those sharing the rarest bands first. Reading each one's signature
# is most of a lookup at a million documents; the citizen's other letters are candidates anyway
# (``match``). At 1M, noisy copies found at 3% / 8% noise: 391/392, 371/386 with 50; 391/392,
# 372/386 with 100 (351 against 418 documents/s); 391/392, 369/386 with 30.
MAX_CANDIDATES = 50


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


@dataclass(frozen=True)
class Lookup:
    """What a lookup found: candidate documents (best first) and the size of each bucket it
    read (the hot ones left out), which :func:`add` needs to know which buckets fill up."""

    candidates: list[int]
    sizes: dict[int, int]


def lookup(db: sqlite_utils.Database, n: int, band_keys: list[int]) -> Lookup:
    """Documents that best share the band :func:`keys`, document ``n`` itself left out.

    Each shared band counts by how rare it is: a bucket of ``k`` documents gives each of
    them ``1/k``. A matter's own wording fills small buckets, so its copies rank first even
    in an index of millions where common phrasings fill large ones. Hot buckets are not read
    and the best ``MAX_CANDIDATES`` documents are kept, so a lookup reads fewer than
    ``HOT`` rows per band and its cost stays bounded as the index grows.
    """
    wanted = list(dict.fromkeys(band_keys))
    if not wanted:
        return Lookup([], {})
    # One statement: each bucket's members as one text (a third faster than a row each, ~340
    # rows a lookup), and the hot keys among them, with no members (their buckets are empty).
    placeholders = marks(wanted)
    rows = db.conn.execute(f"select key, group_concat(doc) from dedup_lsh where key in ({placeholders}) group by key "
                           f"union all select key, null from dedup_lsh_hot where key in ({placeholders})",
                           [*wanted, *wanted]).fetchall()
    hot = {key for key, docs in rows if docs is None}
    rows = [(key, docs) for key, docs in rows if docs is not None and key not in hot]
    sizes = {k: 0 for k in wanted if k not in hot}
    if not rows:
        return Lookup([], sizes)
    members = [np.array(docs.split(","), dtype=np.int64) for _, docs in rows]
    count = np.array([m.size for m in members])
    sizes.update(zip([key for key, _ in rows], count.tolist(), strict=True))
    docs, which = np.unique(np.concatenate(members), return_inverse=True)
    score = np.bincount(which, weights=np.repeat(1.0 / count, count), minlength=docs.size)
    score[docs == n] = -1.0
    order = np.lexsort((-docs, -score))[:MAX_CANDIDATES]  # best first; the newest first among equals
    return Lookup([d for d, s in zip(docs[order].tolist(), score[order].tolist(), strict=True) if s > 0], sizes)


def add(db: sqlite_utils.Database, n: int, band_keys: list[int], sizes: dict[int, int] | None = None) -> None:
    """Index document number ``n`` under its band :func:`keys`, hot buckets left out.

    ``sizes`` are the bucket sizes a :func:`lookup` for these keys just read; without them a
    lookup reads them here. A bucket this document fills to ``HOT`` is marked hot and emptied.
    """
    if sizes is None:
        sizes = lookup(db, n, band_keys).sizes
    full = [k for k, size in sizes.items() if size + 1 >= HOT]
    db.conn.executemany("insert or ignore into dedup_lsh (key, doc) values (?, ?)",
                        [(k, n) for k, size in sizes.items() if size + 1 < HOT])
    if full:
        db.conn.executemany("insert or ignore into dedup_lsh_hot (key) values (?)", [(k,) for k in full])
        db.conn.executemany("delete from dedup_lsh where key = ?", [(k,) for k in full])


def mark_hot(db: sqlite_utils.Database) -> int:
    """Mark every bucket holding ``HOT`` documents or more hot and empty it (after band rows
    were written in bulk); return how many buckets were marked."""
    before = db.conn.execute("select count(*) from dedup_lsh_hot").fetchone()[0]
    db.conn.execute("insert or ignore into dedup_lsh_hot (key) select key from dedup_lsh group by key "
                    "having count(*) >= ?", [HOT])
    db.conn.execute("delete from dedup_lsh where key in (select key from dedup_lsh_hot)")
    return db.conn.execute("select count(*) from dedup_lsh_hot").fetchone()[0] - before
