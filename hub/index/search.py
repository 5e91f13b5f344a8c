"""Full-text search over the city index, ignoring Vietnamese diacritics and case."""
from __future__ import annotations

import sqlite_utils

from edge.fingerprint.normalize import fold


def fts_query(query: str) -> str:
    """Turn what an operator typed into a safe FTS5 query: folded tokens, all required, last one as prefix."""
    tokens = fold(query).split()
    if not tokens:
        return ""
    quoted = [f'"{t}"' for t in tokens]
    quoted[-1] += "*"
    return " ".join(quoted)


def search(db: sqlite_utils.Database, query: str, *, limit: int = 50) -> list[dict]:
    """Documents matching ``query`` (best first) with a short highlighted snippet of the folded text."""
    match = fts_query(query)
    if not match:
        return []
    sql = """
        select d.doc_id, d.source, d.device_id, d.source_name, d.received_at, d.page_count,
               d.status, snippet(documents_fts, 0, '[', ']', ' … ', 12) as snippet
        from documents_fts join documents d on d.rowid = documents_fts.rowid
        where documents_fts match ? order by rank limit ?
    """
    return [dict(r) for r in db.query(sql, [match, limit])]


def rebuild(db: sqlite_utils.Database) -> None:
    """Index anew the search text of every document (after documents were written other than
    through ``documents.insert_document``, which indexes each as it is stored)."""
    db.execute("insert into documents_fts (documents_fts) values ('rebuild')")
