"""Same-citizen links: documents sharing a CCCD/CMND or phone number but not the matter.

A citizen often has several matters before the city; the clerk should see them together
without them ever being proposed as duplicates. Keys live in ``dedup_identity`` (key,
document number); a key found on very many documents (an office hotline printed on a
form, a lawyer's phone) says nothing about a citizen and is not linked.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlite_utils

from hub.dedup.verdicts import CitizenLink
from hub.index.db import rows as query

MAX_PER_KEY = 50


def link(db: sqlite_utils.Database, n: int, doc_id: str, keys: Sequence[str], exclude: set[str],
         found_at: str) -> tuple[CitizenLink, ...]:
    """Index ``keys`` for document ``n`` and record links to earlier documents holding them."""
    shared: dict[str, list[str]] = {}
    for key in keys:
        rows = db.execute("select x.doc_id from dedup_identity i join dedup_docs x on x.n = i.doc "
                          "where i.key = ? and i.doc != ? limit ?", [key, n, MAX_PER_KEY + 1]).fetchall()
        if len(rows) > MAX_PER_KEY:
            continue
        for (other,) in rows:
            if other not in exclude:
                shared.setdefault(other, []).append(key)
    db.conn.executemany("insert or ignore into dedup_identity (key, doc) values (?, ?)", [(k, n) for k in keys])
    links = tuple(CitizenLink(other, tuple(sorted(ks))) for other, ks in sorted(shared.items()))
    for lk in links:
        a, b = sorted((doc_id, lk.doc_id))
        db.execute("insert or ignore into citizen_links (doc_a, doc_b, keys, found_at) values (?, ?, ?, ?)",
                   [a, b, " ".join(lk.keys), found_at])
    return links


def links_of(db: sqlite_utils.Database, doc_id: str) -> list[dict]:
    """Every same-citizen link touching ``doc_id``: the other document and the shared keys."""
    rows = query(db, "select doc_a, doc_b, keys, found_at from citizen_links where doc_a = :d or doc_b = :d "
                    "order by found_at", {"d": doc_id})
    return [{"other": r["doc_b"] if r["doc_a"] == doc_id else r["doc_a"], "keys": r["keys"].split(),
             "found_at": r["found_at"]} for r in rows]
