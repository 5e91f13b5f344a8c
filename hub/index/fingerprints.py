"""A document's stored fingerprint: its dedup number, MinHash signature, size and identity keys.

Plain SQL over ``dedup_docs`` (created by the index's migrations), written when a document
is inserted; the matching that reads it lives in ``hub.dedup``.
"""
from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import sqlite_utils

from edge.wire import Fingerprint


def signature_bytes(minhash: Sequence[int] | np.ndarray) -> bytes:
    """Store a signature compactly (uint32 little-endian)."""
    return np.asarray(minhash, dtype="<u4").tobytes()


def signature(blob: bytes) -> np.ndarray:
    """Read a stored signature."""
    return np.frombuffer(blob, dtype="<u4")


def register(db: sqlite_utils.Database, doc_id: str, fp: Fingerprint, keys: Sequence[str]) -> int:
    """Store a document's fingerprint under its small integer number (assigned on first call)."""
    db.execute("insert into dedup_docs (doc_id, fp, shingles, sig, keys) values (?, ?, ?, ?, ?) "
               "on conflict (doc_id) do update set fp = excluded.fp, shingles = excluded.shingles, "
               "sig = excluded.sig, keys = excluded.keys",
               [doc_id, fp.version, fp.shingle_count, signature_bytes(fp.minhash), json.dumps(list(keys))])
    return db.execute("select n from dedup_docs where doc_id = ?", [doc_id]).fetchone()[0]
