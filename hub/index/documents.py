"""Writing documents and pages into the city index (shared by MQTT ingest and file import)."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlite_utils

from edge.fields import PetitionFields
from edge.fingerprint.normalize import fold
from edge.wire import Fingerprint, now_iso
from hub.index.fingerprints import register

# References carry the local date of Hanoi, where petitions are received.
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
IMPORT_PREFIX = "NK"  # nhập: petitions imported at the hub (online, e-mail)
# A kiosk whose proposed reference is refused gets one from the hub under this prefix
# (tiếp nhận), so it can never collide with what that kiosk numbers itself later.
HUB_PREFIX = "TN"
REFERENCE_RE = re.compile(r"^([A-Z0-9_-]{2,63})-(\d{6})-(\d{4,6})$")
FIELD_SOURCES = ("ocr", "clerk", "operator")


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
    reference: str = ""  # proposed by a kiosk (checked here); "" = the hub assigns one
    fields: PetitionFields | None = None
    fields_source: str = "ocr"  # who gave the fields: 'ocr' | 'clerk' | 'operator'
    fields_by: str = ""  # device id or operator who gave them


def next_reference(db: sqlite_utils.Database, prefix: str = IMPORT_PREFIX,
                   now: datetime | None = None) -> str:
    """The next unused reference ``PREFIX-ddmmyy-NNNN`` for today (local date)."""
    day = (now or datetime.now(LOCAL_TZ)).astimezone(LOCAL_TZ).strftime("%d%m%y")
    stem = f"{prefix}-{day}-"
    rows = db.execute("select reference from documents where reference like ? || '%'", [stem]).fetchall()
    used = [int(m.group(3)) for (r,) in rows if (m := REFERENCE_RE.match(r or ""))]
    return f"{stem}{max(used, default=0) + 1:04d}"


def accepted_reference(db: sqlite_utils.Database, doc: NewDocument) -> str:
    """The kiosk's proposed reference if it is well-formed, its own and unused; else a new one."""
    ref = doc.reference
    m = REFERENCE_RE.match(ref)
    if doc.source == "kiosk" and m and m.group(1) == doc.device_id.upper() and not db.execute(
            "select 1 from documents where reference = ?", [ref]).fetchone():
        return ref
    return next_reference(db, IMPORT_PREFIX if doc.source == "import" else HUB_PREFIX)


def store_fields(db: sqlite_utils.Database, doc_id: str, fields: PetitionFields, *, source: str,
                 by: str) -> None:
    """Write (or replace) a document's structured fields."""
    if source not in FIELD_SOURCES:
        raise ValueError(f"fields source {source!r} is not one of {FIELD_SOURCES}")
    db.execute(
        "insert or replace into document_fields (doc_id, name, id_number, phone, address, kind, "
        "addressee, letter_date, subject, confidence, source, updated_at, updated_by) "
        "values (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [doc_id, *fields.values().values(), json.dumps(fields.confidence), source, now_iso(), by])


def insert_document(db: sqlite_utils.Database, doc: NewDocument) -> bool:
    """Insert a document and its fingerprint; return False (and change nothing) if its id is already stored."""
    if db.execute("select 1 from documents where doc_id = ?", [doc.doc_id]).fetchone():
        return False
    folded = doc.text_fold or fold(doc.text)
    reference = accepted_reference(db, doc)
    # Plain SQL: this runs for every document a fleet sends. The signature is kept with the
    # document's dedup number (``register``), not in this wide row.
    db.execute(
        "insert into documents (doc_id, source, device_id, source_name, batch_id, scanned_at, received_at, "
        "page_count, text, text_fold, fp_version, text_sha256, shingle_count, identity_keys, reference, "
        "status) values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'received')",
        [doc.doc_id, doc.source, doc.device_id, doc.source_name, doc.batch_id, doc.scanned_at, now_iso(),
         doc.page_count, doc.text, folded, doc.fingerprint.version, doc.fingerprint.text_sha256,
         doc.fingerprint.shingle_count, json.dumps(list(doc.identity_keys)), reference])
    if doc.fields is not None:
        store_fields(db, doc.doc_id, doc.fields, source=doc.fields_source,
                     by=doc.fields_by or doc.device_id or doc.source)
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
