"""Writing documents and pages into the city index (shared by MQTT ingest and file import)."""
from __future__ import annotations

import json
from dataclasses import dataclass

import sqlite_utils

from edge.fingerprint.normalize import fold
from edge.wire import Fingerprint, now_iso
from hub.index.fingerprints import register


@dataclass(frozen=True)
class NewDocument:
    doc_id: str
    source: str  # "kiosk" | "import"
    text: str
    fingerprint: Fingerprint
    identity_keys: tuple[str, ...]
    page_count: int
    device_id: str = ""
    source_name: str = ""
    batch_id: str = ""
    scanned_at: str = ""
    text_fold: str = ""  # the search form of ``text`` when already made (else made here)


def insert_document(db: sqlite_utils.Database, doc: NewDocument) -> bool:
    """Insert a document and its fingerprint; return False (and change nothing) if its id is already stored."""
    if db.execute("select 1 from documents where doc_id = ?", [doc.doc_id]).fetchone():
        return False
    folded = doc.text_fold or fold(doc.text)
    # Plain SQL: this runs for every document a fleet sends. The signature is kept with the
    # document's dedup number (``register``), not in this wide row.
    db.execute(
        "insert into documents (doc_id, source, device_id, source_name, batch_id, scanned_at, received_at, "
        "page_count, text, text_fold, fp_version, text_sha256, shingle_count, identity_keys, status) "
        "values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,'received')",
        [doc.doc_id, doc.source, doc.device_id, doc.source_name, doc.batch_id, doc.scanned_at, now_iso(),
         doc.page_count, doc.text, folded, doc.fingerprint.version, doc.fingerprint.text_sha256,
         doc.fingerprint.shingle_count, json.dumps(list(doc.identity_keys))])
    # Searchable from the same transaction (no trigger: see migration 007).
    db.execute("insert into documents_fts (rowid, text_fold) values (last_insert_rowid(), ?)", [folded])
    register(db, doc.doc_id, doc.fingerprint, doc.identity_keys)
    return True


def pages_missing(db: sqlite_utils.Database, doc_id: str) -> int:
    """How many of a document's pages have no image yet."""
    row = db.execute(
        "select d.page_count - count(p.image) from documents d left join pages p "
        "on p.doc_id = d.doc_id and p.image is not null where d.doc_id = ? group by d.doc_id",
        [doc_id]).fetchone()
    return int(row[0]) if row else 0
