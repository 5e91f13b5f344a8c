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
from hub.index.db import marks
from hub.index.db import rows as query

MAX_PER_KEY = 50


def sharing(db: sqlite_utils.Database, n: int, keys: Sequence[str]) -> dict[str, list[int]]:
    """The other documents (by number, newest first) holding each of ``keys``: all of them, or
    for a key on more than ``MAX_PER_KEY`` documents the newest ``MAX_PER_KEY + 1`` (see
    :func:`crowded`)."""
    out: dict[str, list[int]] = {}
    for key in keys:
        docs = [d for (d,) in db.conn.execute("select doc from dedup_identity where key = ? and doc != ? "
                                              "order by doc desc limit ?", [key, n, MAX_PER_KEY + 1])]
        if docs:
            out[key] = docs
    return out


def crowded(docs: list[int]) -> bool:
    """Is a key on these documents (as :func:`sharing` gives them) on too many to say who
    wrote them: an office hotline printed on a form, a lawyer's phone, or a citizen who has
    written very often? Such keys link no documents; their newest letters are still
    candidates for matching."""
    return len(docs) > MAX_PER_KEY


def newest(shared: dict[str, list[int]]) -> list[int]:
    """The documents :func:`sharing` gave, at most ``MAX_PER_KEY`` per key: candidates for matching."""
    return [d for docs in shared.values() for d in docs[:MAX_PER_KEY]]


def link(db: sqlite_utils.Database, n: int, doc_id: str, keys: Sequence[str], exclude: set[str],
         found_at: str, shared: dict[str, list[int]]) -> tuple[CitizenLink, ...]:
    """Index ``keys`` for document ``n`` and record links to the earlier documents holding them
    (``shared``, as :func:`sharing` gave them)."""
    shared = {key: docs for key, docs in shared.items() if not crowded(docs)}
    numbers = sorted({d for docs in shared.values() for d in docs})
    ids = dict(db.conn.execute(f"select n, doc_id from dedup_docs where n in ({marks(numbers)})",
                               numbers)) if numbers else {}
    by_doc: dict[str, list[str]] = {}
    for key, docs in shared.items():
        for d in docs:
            other = ids.get(d)
            if other is not None and other not in exclude:
                by_doc.setdefault(other, []).append(key)
    db.conn.executemany("insert or ignore into dedup_identity (key, doc) values (?, ?)", [(k, n) for k in keys])
    links = tuple(CitizenLink(other, tuple(sorted(ks))) for other, ks in sorted(by_doc.items()))
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
