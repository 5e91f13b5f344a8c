"""The matcher's migrations that need its own logic, registered with the index (run by ``open_index``).

The tables live in ``hub.index.db``; what fills them anew after a layout change (a
re-fingerprint of every stored document, LSH bookkeeping) lives here, so the index never
imports the matcher.
"""
from __future__ import annotations

import sqlite_utils

from hub.index.db import register_migrations


def _reindex_if_needed(db: sqlite_utils.Database) -> None:
    # Documents stored before the fingerprint table (migration 005) have no fingerprint row.
    from hub.dedup.reindex import reindex_all

    missing = db.execute("select 1 from documents d where not exists (select 1 from dedup_docs x "
                         "where x.doc_id = d.doc_id and x.sig is not null) limit 1").fetchone()
    if missing:
        reindex_all(db)


def _hot_buckets(db: sqlite_utils.Database) -> None:
    # Hot buckets held half of all band rows at a million documents: mark and empty them.
    from hub.dedup.lsh import mark_hot

    mark_hot(db)


MIGRATIONS = [
    ("005_fingerprints_reindex", _reindex_if_needed),
    ("009_hot_buckets", _hot_buckets),
]


def install() -> None:
    """Register these migrations with the index (idempotent)."""
    register_migrations(MIGRATIONS)
