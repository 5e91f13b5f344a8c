"""Rebuild the dedup tables from stored documents (after a fingerprint or layout change)."""
from __future__ import annotations

import json

import numpy as np
import sqlite_utils

from edge.fingerprint.minhash import FINGERPRINT_VERSION, fingerprint, shingles
from edge.wire import Fingerprint
from hub.dedup import boilerplate, lsh
from hub.dedup.match import MIN_SHINGLES, register, signature


def reindex_all(db: sqlite_utils.Database) -> int:
    """Fingerprint every document into ``dedup_docs`` and index its bands and identity keys; return the count."""
    rows = db.execute("select d.doc_id, d.text, d.fp_version, d.text_sha256, d.shingle_count, d.identity_keys, "
                      "d.minhash from documents d order by d.received_at, d.doc_id").fetchall()
    boiler = boilerplate.current(db)
    for doc_id, text, version, sha, count, keys_json, minhash in rows:
        if version == FINGERPRINT_VERSION and minhash:
            fp = Fingerprint(version, tuple(signature(minhash).tolist()), sha, count)
        else:
            fp = fingerprint(text or "")
            db.execute("update documents set fp_version = ?, text_sha256 = ?, shingle_count = ? where doc_id = ?",
                       [fp.version, fp.text_sha256, fp.shingle_count, doc_id])
        keys = json.loads(keys_json) if keys_json else []
        n = register(db, doc_id, fp, keys)
        sig = np.asarray(fp.minhash, dtype=np.uint32)
        template = boiler.template_mask(shingles(text or ""))
        if fp.shingle_count >= MIN_SHINGLES:
            lsh.add(db, n, sig, template)
        db.execute("update dedup_docs set tmask = ? where n = ?", [np.packbits(template).tobytes(), n])
        db.conn.executemany("insert or ignore into dedup_identity (key, doc) values (?, ?)",
                            [(k, n) for k in keys])
    # The signature now lives with the document's number only.
    db.execute("update documents set minhash = null")
    return len(rows)
