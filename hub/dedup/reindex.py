"""Rebuild the dedup tables from stored documents (after a fingerprint or layout change)."""
from __future__ import annotations

import numpy as np
import sqlite_utils

from edge.fingerprint.minhash import FINGERPRINT_VERSION, shingles
from edge.wire import Fingerprint
from hub.dedup import boilerplate, lsh
from hub.dedup.match import id_keys, index_bands, refingerprint, register, signature


def reindex_all(db: sqlite_utils.Database) -> int:
    """Fingerprint every document into ``dedup_docs`` and index its bands and identity keys; return the count."""
    rows = db.execute("select d.doc_id, d.text, d.fp_version, d.text_sha256, d.shingle_count, d.identity_keys, "
                      "d.minhash from documents d order by d.received_at, d.doc_id").fetchall()
    boiler = boilerplate.current(db)
    for doc_id, text, version, sha, count, keys_json, minhash in rows:
        if version == FINGERPRINT_VERSION and minhash:
            fp = Fingerprint(version, tuple(signature(minhash).tolist()), sha, count)
            n = register(db, doc_id, fp, id_keys(keys_json))
        else:
            n, fp = refingerprint(db, doc_id, text, keys_json)
        template = boiler.template_mask(shingles(text or ""))
        index_bands(db, n, lsh.keys(np.asarray(fp.minhash, dtype=np.uint32), template), template, fp.shingle_count)
        db.conn.executemany("insert or ignore into dedup_identity (key, doc) values (?, ?)",
                            [(k, n) for k in id_keys(keys_json)])
    # The signature now lives with the document's number only.
    db.execute("update documents set minhash = null")
    return len(rows)
