"""Writing documents and pages into the city index (shared by MQTT ingest and file import)."""
from __future__ import annotations

import json
from dataclasses import dataclass

import sqlite_utils

from edge.fingerprint.normalize import fold
from edge.wire import Fingerprint, now_iso
from hub.dedup.match import signature_bytes


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


def insert_document(db: sqlite_utils.Database, doc: NewDocument) -> bool:
    """Insert a document; return False (and change nothing) if its id is already stored."""
    if db.execute("select 1 from documents where doc_id = ?", [doc.doc_id]).fetchone():
        return False
    db["documents"].insert({
        "doc_id": doc.doc_id, "source": doc.source, "device_id": doc.device_id,
        "source_name": doc.source_name, "batch_id": doc.batch_id, "scanned_at": doc.scanned_at,
        "received_at": now_iso(), "page_count": doc.page_count, "text": doc.text,
        "text_fold": fold(doc.text), "fp_version": doc.fingerprint.version,
        "minhash": signature_bytes(doc.fingerprint.minhash),
        "text_sha256": doc.fingerprint.text_sha256, "shingle_count": doc.fingerprint.shingle_count,
        "identity_keys": json.dumps(list(doc.identity_keys)), "status": "received",
    })
    return True


def pages_missing(db: sqlite_utils.Database, doc_id: str) -> int:
    """How many of a document's pages have no image yet."""
    row = db.execute(
        "select d.page_count - count(p.image) from documents d left join pages p "
        "on p.doc_id = d.doc_id and p.image is not null where d.doc_id = ? group by d.doc_id",
        [doc_id]).fetchone()
    return int(row[0]) if row else 0
