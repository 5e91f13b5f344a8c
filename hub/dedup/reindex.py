"""Rebuild the dedup tables from stored documents (after a fingerprint version change)."""
from __future__ import annotations

import json

import sqlite_utils

from edge.fingerprint.minhash import FINGERPRINT_VERSION
from hub.dedup import lsh
from hub.dedup.match import MIN_SHINGLES, _upgrade, register, signature


def reindex_all(db: sqlite_utils.Database) -> int:
    """Refingerprint old documents and index every document's bands and identity keys; return the count."""
    rows = list(db.query("select doc_id, text, minhash, fp_version, text_sha256, shingle_count, identity_keys "
                         "from documents order by received_at, doc_id"))
    for doc in rows:
        if doc["fp_version"] != FINGERPRINT_VERSION:
            doc = _upgrade(db, doc)
        n = register(db, doc["doc_id"])
        if doc["shingle_count"] >= MIN_SHINGLES:
            lsh.add(db, n, signature(doc["minhash"]))
        keys = json.loads(doc["identity_keys"]) if doc["identity_keys"] else []
        db.conn.executemany("insert or ignore into dedup_identity (key, doc) values (?, ?)",
                            [(k, n) for k in keys])
    return len(rows)
