"""One incoming MQTT message → the city index, idempotently.

Delivery is at-least-once, so every message id is remembered and a repeat changes
nothing. A message that does not follow the wire contract is kept aside in
``rejected_messages`` with the reason, and the ingester goes on.
"""
from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass

import sqlite_utils

from edge.wire import (
    DocumentMessage,
    MetricsMessage,
    PageImageMessage,
    StatusMessage,
    WireError,
    from_json,
    now_iso,
    parse_topic,
)
from hub.dedup.match import NewMatter, Resubmission, Verdict, match_document
from hub.index.documents import NewDocument, insert_document

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Stored:
    """The message changed the index; ``verdict`` is set for a new document."""

    kind: str
    device_id: str
    verdict: Verdict | None = None


@dataclass(frozen=True)
class Repeated:
    """Already seen: nothing changed."""

    msg_id: str


@dataclass(frozen=True)
class Rejected:
    """Did not follow the contract; kept aside."""

    reason: str


Outcome = Stored | Repeated | Rejected


def handle_message(db: sqlite_utils.Database, topic: str, payload: bytes) -> Outcome:
    """Validate and store one message in a single transaction."""
    try:
        device_id, kind = parse_topic(topic)
        msg = from_json(payload, kind=kind)
        if msg.device_id != device_id:
            raise WireError(f"device {msg.device_id!r} published under {device_id!r}'s topic")
        if isinstance(msg, PageImageMessage) and hashlib.sha256(msg.image).hexdigest() != msg.image_sha256:
            raise WireError("page image does not match its sha256")
    except WireError as e:
        with db.conn:
            db["rejected_messages"].insert({"topic": topic, "received_at": now_iso(),
                                            "error": str(e), "payload": payload})
        log.warning("rejected message on %s: %s", topic, e)
        return Rejected(str(e))

    with db.conn:
        if isinstance(msg, StatusMessage | MetricsMessage):
            _device(db, msg)  # state, not events: the newest wins, no dedup needed
            return Stored(kind, device_id)
        if db.execute("select 1 from messages_seen where msg_id = ?", [msg.msg_id]).fetchone():
            return Repeated(msg.msg_id)
        db["messages_seen"].insert({"msg_id": msg.msg_id, "received_at": now_iso()})
        _touch_device(db, device_id)
        if isinstance(msg, PageImageMessage):
            _page_image(db, msg)
            return Stored(kind, device_id)
        verdict = _document(db, msg)
        return Stored(kind, device_id, verdict)


def _touch_device(db: sqlite_utils.Database, device_id: str) -> None:
    db["devices"].upsert({"device_id": device_id, "last_seen": now_iso()}, pk="device_id")
    db.execute("update devices set first_seen = coalesce(first_seen, last_seen) where device_id = ?",
               [device_id])


def _device(db: sqlite_utils.Database, msg: StatusMessage | MetricsMessage) -> None:
    current = next(db.query("select boot_id, state from devices where device_id = ?",
                            [msg.device_id]), None)
    if isinstance(msg, StatusMessage):
        # A will from an earlier boot arriving late must not mark a live kiosk offline.
        if (msg.state == "offline" and current and current["boot_id"]
                and current["boot_id"] != msg.boot_id and current["state"] == "online"):
            log.info("ignored stale offline status of device %s", msg.device_id)
            return
        db["devices"].upsert({"device_id": msg.device_id, "state": msg.state,
                              "boot_id": msg.boot_id, "last_seen": now_iso()}, pk="device_id")
    else:
        db["devices"].upsert({
            "device_id": msg.device_id, "last_seen": now_iso(), "outbox_depth": msg.outbox_depth,
            "pages_today": msg.pages_today, "ocr_backlog": msg.ocr_backlog,
            "scanner_state": msg.scanner_state, "last_error": msg.last_error,
            "metrics": json.dumps({"uptime_s": msg.uptime_s, "disk_free_mb": msg.disk_free_mb}),
        }, pk="device_id")
        if current is None or current["state"] != "online":
            db.execute("update devices set state = 'online' where device_id = ?", [msg.device_id])
    db.execute("update devices set first_seen = coalesce(first_seen, last_seen) where device_id = ?",
               [msg.device_id])


def _page_image(db: sqlite_utils.Database, msg: PageImageMessage) -> None:
    values = {"doc_id": msg.doc_id, "idx": msg.index, "image_sha256": msg.image_sha256,
              "mime": msg.mime, "width": msg.width, "height": msg.height, "dpi": msg.dpi,
              "image": msg.image, "pdf": msg.pdf or None, "image_received_at": now_iso()}
    if db.execute("select 1 from pages where page_id = ?", [msg.page_id]).fetchone():
        db["pages"].update(msg.page_id, values)
    else:
        db["pages"].insert({"page_id": msg.page_id, **values})


def _document(db: sqlite_utils.Database, msg: DocumentMessage) -> Verdict | None:
    stored = insert_document(db, NewDocument(
        doc_id=msg.doc_id, source="kiosk", text=msg.text, fingerprint=msg.fingerprint,
        identity_keys=msg.identity_keys, page_count=msg.page_count, device_id=msg.device_id,
        source_name=str(msg.meta.get("source", "")), batch_id=msg.batch_id,
        scanned_at=msg.scanned_at,
    ))
    if not stored:
        return None
    for p in msg.pages:
        meta = {"doc_id": msg.doc_id, "idx": p.index, "skew_degrees": p.skew_degrees,
                "ocr_confidence": p.ocr_confidence, "text": p.text, "flags": json.dumps(list(p.flags))}
        if db.execute("select 1 from pages where page_id = ?", [p.page_id]).fetchone():
            db["pages"].update(p.page_id, meta)  # the image came first
        else:
            db["pages"].insert({"page_id": p.page_id, "image_sha256": p.image_sha256, **meta})
    return match_document(db, msg.doc_id)


def verdict_payload(verdict: Verdict) -> dict:
    """What the kiosk is told about one of its documents."""
    body: dict = {"doc_id": verdict.doc_id, "at": now_iso()}
    if isinstance(verdict, NewMatter):
        body["outcome"] = "new"
    else:
        body["outcome"] = "resubmission" if isinstance(verdict, Resubmission) else "same_matter"
        body["matches"] = [{"doc_id": m.doc_id, "similarity": m.similarity, "status": m.status,
                            "resolved_at": m.resolved_at} for m in verdict.matches]
    return body
