"""SQLite city index: connection settings and ordered, re-runnable migrations.

Every table the hub uses is created here, so a reader of this file knows the whole
record. Migrations run in order, each in its own transaction, and are recorded in
``_migrations`` so opening an index twice is safe.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from hub.exceptions import IndexError_

Migration = Callable[[sqlite_utils.Database], None]


def _m001_core(db: sqlite_utils.Database) -> None:
    db["devices"].create(
        {
            "device_id": str, "state": str, "boot_id": str, "last_seen": str,
            "first_seen": str, "metrics": str, "outbox_depth": int, "pages_today": int,
            "ocr_backlog": int, "scanner_state": str, "last_error": str,
        },
        pk="device_id",
    )
    db["documents"].create(
        {
            "doc_id": str, "source": str, "device_id": str, "source_name": str,
            "batch_id": str, "scanned_at": str, "received_at": str, "page_count": int,
            "text": str, "text_fold": str, "fp_version": int, "minhash": bytes,
            "text_sha256": str, "shingle_count": int, "identity_keys": str,
            "status": str, "resolved_at": str, "case_ref": str,
        },
        pk="doc_id",
        defaults={"status": "received"},
    )
    db["documents"].create_index(["received_at"])
    db["documents"].create_index(["text_sha256"])
    db["pages"].create(
        {
            "page_id": str, "doc_id": str, "idx": int, "image_sha256": str,
            "skew_degrees": float, "ocr_confidence": float, "text": str, "flags": str,
            "mime": str, "width": int, "height": int, "dpi": int, "image": bytes,
            "image_received_at": str,
        },
        pk="page_id",
    )
    db["pages"].create_index(["doc_id", "idx"])
    db["pages"].create_index(["image_sha256"])
    # LSH bands of the MinHash signature: candidates are documents sharing a band key.
    db["lsh_bands"].create({"band": int, "key": int, "doc_id": str}, pk=("band", "key", "doc_id"))
    db["duplicate_pairs"].create(
        {
            "doc_a": str, "doc_b": str, "similarity": float, "containment": float,
            "method": str, "found_at": str, "decision": str, "decided_by": str,
            "decided_at": str,
        },
        pk=("doc_a", "doc_b"),
        defaults={"decision": "proposed"},
    )
    db["duplicate_pairs"].create_index(["doc_b"])
    db["messages_seen"].create({"msg_id": str, "received_at": str}, pk="msg_id")
    db["rejected_messages"].create(
        {"id": int, "topic": str, "received_at": str, "error": str, "payload": bytes}, pk="id"
    )
    db["users"].create(
        {"username": str, "password_hash": str, "display_name": str, "created_at": str},
        pk="username",
    )
    db["documents"].enable_fts(["text_fold"], create_triggers=True, tokenize="unicode61")


def _m002_page_pdf(db: sqlite_utils.Database) -> None:
    # Each kiosk page also arrives as a searchable PDF (image + invisible OCR text).
    db["pages"].add_column("pdf", bytes)


MIGRATIONS: list[tuple[str, Migration]] = [
    ("001_core", _m001_core),
    ("002_page_pdf", _m002_page_pdf),
]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply pending migrations in order; return the names applied."""
    if "_migrations" not in db.table_names():
        db["_migrations"].create({"name": str, "applied_at": str}, pk="name")
    done = {r["name"] for r in db["_migrations"].rows}
    applied = []
    for name, step in MIGRATIONS:
        if name in done:
            continue
        with db.conn:
            step(db)
            db["_migrations"].insert({"name": name, "applied_at": _now()})
        applied.append(name)
    return applied


def open_index(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) the city index at ``path``, migrated, WAL, foreign-key safe."""
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
        db = sqlite_utils.Database(conn)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA busy_timeout=30000")
        migrate(db)
    except (sqlite3.Error, OSError) as e:
        raise IndexError_(f"cannot open city index {path}: {e}") from e
    return db
