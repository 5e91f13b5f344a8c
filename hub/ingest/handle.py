"""One incoming MQTT message → the city index, idempotently and atomically.

Delivery is at-least-once, so every message id is remembered and a repeat changes
nothing. Each message is applied in one SQLite transaction (a savepoint when several are
applied together by :func:`handle_batch`) and its id is recorded in the same transaction,
so a crash between the two cannot leave a message "seen" but not stored.

A document is *complete* once every page it lists has an image whose SHA-256 matches the
hash the document states; ``documents.complete_at`` records when. An image that does not
match (a different version of the page) is kept aside in ``rejected_messages``, so the page
stays missing and the panel shows the document as incomplete.

A message that does not follow the wire contract (``read``), that claims what belongs to
another kiosk or to an import (a document id, a page), or that fails while being stored is
kept aside with the reason and counts as handled: the ingester acknowledges it and goes on.
One kiosk's poison must not hold the broker's in-flight window (and with it every kiosk's
messages) hostage. Only a failure of the index itself (locked, full, I/O error) leaves a
batch unacknowledged, to be delivered again. What is kept aside is bounded: the first
``REJECTED_PAYLOAD_MAX`` bytes of each payload, the newest ``REJECTED_MAX_ROWS`` rows, none
older than ``REJECTED_KEEP``.
"""
from __future__ import annotations

import json
import logging
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlite_utils

from edge.fields import FieldsInvalid, PetitionFields, clean
from edge.wire import (
    CommandResult,
    DocumentMessage,
    MetricsMessage,
    PageImageMessage,
    StatusMessage,
    now_iso,
)
from hub.dedup import boilerplate, recent
from hub.dedup.match import NewMatter, Resubmission, Verdict, match_document
from hub.index.db import immediate, rows
from hub.index.documents import NewDocument, insert_document
from hub.ingest.read import Parsed, parse

log = logging.getLogger(__name__)

# Metrics samples kept per kiosk for the panel's chart.
METRICS_KEEP = timedelta(days=7)
# Kept-aside messages: enough of a payload to see what it was (its envelope and first fields),
# never the whole 2 MB page image; at most 16,384 rows (64 MiB of payload), for 30 days: long
# enough for a technician to look after a weekend, short enough that a flooding kiosk cannot
# fill the hub's disk.
REJECTED_PAYLOAD_MAX = 4096
REJECTED_MAX_ROWS = 16_384
REJECTED_KEEP = timedelta(days=30)
_PRUNE_EVERY_S = 60.0
_last_prune = [0.0]


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
    """Did not follow the contract (or its image did not match the document); kept aside."""

    reason: str


Outcome = Stored | Repeated | Rejected


def handle_message(db: sqlite_utils.Database, topic: str, payload: bytes) -> Outcome:
    """Validate and store one message in a single transaction (kept aside if it fails)."""
    parsed = parse(topic, payload)
    try:
        with immediate(db):
            return _apply(db, parsed)
    except sqlite3.OperationalError:
        boilerplate.forget(db)  # what the rolled-back attempt learned went with it
        raise  # the index itself failed: not the message's fault, it is delivered again
    except Exception as e:  # noqa: BLE001 — poison: kept aside, never tried again
        boilerplate.forget(db)
        with immediate(db):
            return _poison(db, parsed, e)


def handle_batch(db: sqlite_utils.Database,
                 items: list[Parsed | tuple[str, bytes]]) -> list[Outcome | Exception]:
    """Apply several messages in one transaction.

    Items are messages already read (:func:`parse`) or (topic, payload) pairs, read here.
    A message that raises is kept aside (``rejected_messages``) and returned as ``Rejected``,
    so the caller acknowledges it like any other: the broker must not deliver it again and
    again, holding a place in its in-flight window. A failure of SQLite itself
    (``sqlite3.OperationalError``: locked, disk full, I/O) is raised instead, and nothing of
    the batch is acknowledged. The others commit together. One
    commit per batch instead of per message is what lets one ingester keep up with a city's
    fleet.

    The messages run without a savepoint each: SQLite's full-text index writes out what it
    holds at every savepoint, which made indexing a document five times dearer. Only when a
    message raises is the batch rolled back and applied again with one savepoint per message.
    """
    parsed = [item if isinstance(item, Parsed) else parse(*item) for item in items]
    # The write lock is taken first: a read-then-write transaction whose snapshot another
    # writer (``hub import``, the panel) overtook fails at once with "database is locked".
    try:
        with immediate(db):
            return [_apply(db, p) for p in parsed]
    except sqlite3.OperationalError:
        boilerplate.forget(db)
        raise
    except Exception:  # noqa: BLE001 — found again, per message, below
        boilerplate.forget(db)  # what the rolled-back attempt learned went with it
    out: list[Outcome | Exception] = []
    with immediate(db):
        for p in parsed:
            try:
                with db.atomic():
                    out.append(_apply(db, p))
            except sqlite3.OperationalError:
                boilerplate.forget(db)
                raise
            except Exception as e:  # noqa: BLE001 — poison: kept aside and acknowledged
                boilerplate.forget(db)
                out.append(_poison(db, p, e))
    return out


def _poison(db: sqlite_utils.Database, parsed: Parsed, error: Exception) -> Rejected:
    """Keep aside a message that follows the contract but could not be stored."""
    payload = parsed.payload or (parsed.msg.to_json() if parsed.msg is not None else b"")
    return _reject(db, parsed.topic, payload, f"could not be stored: {type(error).__name__}: {error}"[:300])


def _apply(db: sqlite_utils.Database, parsed: Parsed) -> Outcome:
    topic, msg = parsed.topic, parsed.msg
    if msg is None:
        return _reject(db, topic, parsed.payload, parsed.error)
    device_id, kind = msg.device_id, msg.KIND
    if isinstance(msg, StatusMessage | MetricsMessage):
        _device(db, msg)  # state, not events: the newest wins, no dedup needed
        return Stored(kind, device_id)
    if db.execute("select 1 from messages_seen where msg_id = ?", [msg.msg_id]).fetchone():
        return Repeated(msg.msg_id)
    outcome: Outcome
    if isinstance(msg, CommandResult):
        db.execute("update device_commands set ok = ?, detail = ?, answered_at = ? "
                   "where command_id = ? and device_id = ?",
                   [int(bool(msg.ok)), str(msg.detail)[:500], now_iso(), msg.command_id, device_id])
        outcome = Stored(kind, device_id)
    elif isinstance(msg, PageImageMessage):
        reason = _owner_conflict(db, msg.device_id, msg.doc_id, [msg.page_id]) or _page_image(db, msg)
        if reason:
            return _reject(db, topic, msg.to_json(), reason)
        outcome = Stored(kind, device_id)
    else:
        reason = _owner_conflict(db, msg.device_id, msg.doc_id, [p.page_id for p in msg.pages])
        if reason:
            return _reject(db, topic, msg.to_json(), reason)
        outcome = Stored(kind, device_id, _document(db, msg, parsed))
    _touch_device(db, device_id)
    # Recorded last, in the same transaction as the effects above.
    db.execute("insert into messages_seen (msg_id, received_at) values (?, ?)",
               [msg.msg_id, now_iso()])
    return outcome


def _owner_conflict(db: sqlite_utils.Database, device_id: str, doc_id: str,
                    page_ids: list[str]) -> str:
    """Why a kiosk may not write this document or these pages ("" when it may).

    A document id belongs to the kiosk that sent it first; an import's, or another kiosk's,
    is never reused, and a page stays with the document it first came with. Checked by what
    the index holds, not by the shape of ids, so it holds whatever ids imports use.
    """
    row = db.execute("select source, device_id from documents where doc_id = ?", [doc_id]).fetchone()
    if row and (row[0] != "kiosk" or row[1] != device_id):
        return f"document {doc_id} belongs to another device or an import"
    for page_id in page_ids:
        page = db.execute("select p.doc_id, d.source, d.device_id from pages p left join documents d "
                          "on d.doc_id = p.doc_id where p.page_id = ?", [page_id]).fetchone()
        if page and (page[0] != doc_id or (page[1] is not None and (page[1], page[2]) != ("kiosk", device_id))):
            return f"page {page_id} belongs to another document"
    return ""


def _reject(db: sqlite_utils.Database, topic: str, payload: bytes, reason: str) -> Rejected:
    size = len(payload or b"")
    if size > REJECTED_PAYLOAD_MAX:
        reason = f"{reason} [payload {size} bytes, first {REJECTED_PAYLOAD_MAX} kept]"
    db["rejected_messages"].insert({"topic": topic[:200], "received_at": now_iso(), "error": reason[:500],
                                    "payload": bytes(payload or b"")[:REJECTED_PAYLOAD_MAX]})
    _prune_rejected(db)
    # %r: a topic or reason from a kiosk may hold CR/LF meant to forge a log line.
    log.warning("rejected message on %r: %r", topic[:200], reason[:300])
    return Rejected(reason)


def _prune_rejected(db: sqlite_utils.Database) -> None:
    """Keep ``rejected_messages`` within its row cap always, and its age limit once a minute."""
    db.execute("delete from rejected_messages where id <= "
               "(select max(id) from rejected_messages) - ?", [REJECTED_MAX_ROWS])
    if time.monotonic() - _last_prune[0] >= _PRUNE_EVERY_S:
        _last_prune[0] = time.monotonic()
        cutoff = (datetime.now(UTC) - REJECTED_KEEP).isoformat(timespec="seconds")
        db.execute("delete from rejected_messages where received_at < ?", [cutoff])


def _touch_device(db: sqlite_utils.Database, device_id: str) -> None:
    now = now_iso()
    db.execute("insert into devices (device_id, last_seen, first_seen) values (?, ?, ?) "
               "on conflict(device_id) do update set last_seen = excluded.last_seen",
               [device_id, now, now])


def _device(db: sqlite_utils.Database, msg: StatusMessage | MetricsMessage) -> None:
    found = rows(db, "select boot_id, state from devices where device_id = ?", [msg.device_id])
    current = found[0] if found else None
    now = now_iso()
    if isinstance(msg, StatusMessage):
        # A will from an earlier boot arriving late (session takeover after a quick restart)
        # must not mark a live kiosk offline: only the current boot can say it is offline.
        if (msg.state == "offline" and current and current["boot_id"]
                and current["boot_id"] != msg.boot_id and current["state"] == "online"):
            log.info("ignored stale offline status of device %s", msg.device_id)
            return
        db["devices"].upsert({"device_id": msg.device_id, "state": msg.state,
                              "boot_id": msg.boot_id, "last_seen": now,
                              "config_version": int(msg.config_version or 0)}, pk="device_id")
        if msg.software:  # an 'offline' will says nothing new about the software
            db.execute("update devices set software = ? where device_id = ?",
                       [json.dumps(msg.software, sort_keys=True), msg.device_id])
    else:
        db["devices"].upsert({
            "device_id": msg.device_id, "last_seen": now, "metrics_at": now,
            "outbox_depth": msg.outbox_depth, "pages_today": msg.pages_today,
            "ocr_backlog": msg.ocr_backlog, "scanner_state": msg.scanner_state,
            "last_error": msg.last_error, "interval_s": float(msg.interval_s or 0),
            "outbox_oldest_s": float(msg.outbox_oldest_s or 0),
            "ocr_ms_per_page": float(msg.ocr_ms_per_page or 0),
            "disk_free_mb": float(msg.disk_free_mb or 0), "temperature_c": msg.temperature_c,
            "failed_pages": int(msg.failed_pages or 0), "scanner_error": msg.scanner_error,
            "config_version": int(msg.config_version or 0), "config_error": msg.config_error,
            "uptime_s": float(msg.uptime_s or 0),
            "outbox_sent": int(msg.outbox_sent or 0), "outbox_delivered": int(msg.outbox_delivered or 0),
            "oldest_undelivered_s": float(msg.oldest_undelivered_s or 0),
            "metrics": json.dumps({"uptime_s": msg.uptime_s, "disk_free_mb": msg.disk_free_mb,
                                   "thread_restarts": msg.thread_restarts}),
        }, pk="device_id")
        # Metrics prove the kiosk is alive: a kiosk marked offline by an old will comes back.
        if current is None or current["state"] != "online":
            db.execute("update devices set state = 'online', boot_id = coalesce(nullif(?, ''), boot_id) "
                       "where device_id = ?", [msg.boot_id, msg.device_id])
        db.execute(
            "insert or replace into device_metrics (device_id, at, pages_today, outbox_depth, "
            "ocr_backlog, ocr_ms_per_page, disk_free_mb, temperature_c) values (?,?,?,?,?,?,?,?)",
            [msg.device_id, now, msg.pages_today, msg.outbox_depth, msg.ocr_backlog,
             msg.ocr_ms_per_page, msg.disk_free_mb, msg.temperature_c])
        cutoff = (datetime.now(UTC) - METRICS_KEEP).isoformat(timespec="seconds")
        db.execute("delete from device_metrics where device_id = ? and at < ?", [msg.device_id, cutoff])
    db.execute("update devices set first_seen = coalesce(first_seen, last_seen) where device_id = ?",
               [msg.device_id])


def _page_image(db: sqlite_utils.Database, msg: PageImageMessage) -> str:
    """Store a page image; return a reason instead when it contradicts its document."""
    row = db.execute("select expected_sha256, doc_id from pages where page_id = ?",
                     [msg.page_id]).fetchone()
    if row and row[1] and row[1] != msg.doc_id:
        return f"page {msg.page_id} belongs to another document"
    if row and row[0] and row[0] != msg.image_sha256:
        return f"page image {msg.page_id} does not match the hash its document states"
    # Plain SQL on the hot path: one statement per page at a fleet's message rate.
    db.execute(
        "insert into pages (page_id, doc_id, idx, image_sha256, mime, width, height, dpi, image, "
        "pdf, image_received_at) values (?,?,?,?,?,?,?,?,?,?,?) on conflict(page_id) do update set "
        "doc_id = excluded.doc_id, idx = excluded.idx, image_sha256 = excluded.image_sha256, "
        "mime = excluded.mime, width = excluded.width, height = excluded.height, dpi = excluded.dpi, "
        "image = excluded.image, pdf = excluded.pdf, image_received_at = excluded.image_received_at",
        [msg.page_id, msg.doc_id, msg.index, msg.image_sha256, msg.mime, msg.width, msg.height,
         msg.dpi, msg.image, msg.pdf or None, now_iso()])
    if row:  # the document came first: it may be complete now
        _check_complete(db, msg.doc_id)
    return ""


def _kiosk_fields(msg: DocumentMessage) -> tuple[PetitionFields | None, str]:
    """The fields a kiosk sent, validated, and who gave them; bad fields are dropped, not the document."""
    data = msg.meta.get("fields")
    if data is None:
        return None, "ocr"
    try:
        fields = clean(data)
    except FieldsInvalid as e:  # the detail names the rule, never the value
        log.warning("document %s from %s: fields dropped: %s", msg.doc_id, msg.device_id, e.detail)
        return None, "ocr"
    source = data.get("source") if isinstance(data, dict) else None
    return fields, source if source in ("ocr", "clerk") else "ocr"


def _document(db: sqlite_utils.Database, msg: DocumentMessage, parsed: Parsed) -> Verdict | None:
    fields, fields_source = _kiosk_fields(msg)
    reference = msg.meta.get("reference")
    stored = insert_document(db, NewDocument(
        doc_id=msg.doc_id, source="kiosk", text=msg.text, fingerprint=msg.fingerprint,
        identity_keys=parsed.identity_keys, page_count=msg.page_count, device_id=msg.device_id,
        source_name=str(msg.meta.get("source", "")), batch_id=msg.batch_id,
        scanned_at=msg.scanned_at, text_fold=parsed.text_fold,
        reference=reference if isinstance(reference, str) else "", fields=fields,
        fields_source=fields_source, fields_by=msg.device_id,
    ))
    if not stored:
        return None
    if parsed.shingles is not None:
        recent.remember_shingles(msg.fingerprint.text_sha256, parsed.shingles)
    for p in msg.pages:
        meta = {"doc_id": msg.doc_id, "idx": p.index, "skew_degrees": p.skew_degrees,
                "ocr_confidence": p.ocr_confidence, "text": p.text,
                "flags": json.dumps(list(p.flags)), "expected_sha256": p.image_sha256}
        have = db.execute("select image_sha256, image is not null from pages where page_id = ?",
                          [p.page_id]).fetchone()
        if have is None:
            db.execute("insert into pages (page_id, doc_id, idx, skew_degrees, ocr_confidence, text, "
                       "flags, expected_sha256, image_sha256) values (?,?,?,?,?,?,?,?,?)",
                       [p.page_id, msg.doc_id, p.index, p.skew_degrees, p.ocr_confidence, p.text,
                        meta["flags"], p.image_sha256, p.image_sha256])
            continue
        if have[1] and have[0] != p.image_sha256:
            # The image that came first is not the page this document describes.
            image = db.execute("select image from pages where page_id = ?", [p.page_id]).fetchone()[0]
            _reject(db, f"kiosk/{msg.device_id}/page", image,
                    f"page image {p.page_id} does not match the hash its document states")
            meta.update(image=None, pdf=None, image_sha256=p.image_sha256, image_received_at=None)
        # The image came first: add what the document says about the page.
        db.execute(f"update pages set {', '.join(f'{k} = ?' for k in meta)} where page_id = ?",
                   [*meta.values(), p.page_id])
    _check_complete(db, msg.doc_id)
    return match_document(db, msg.doc_id)


def _check_complete(db: sqlite_utils.Database, doc_id: str) -> None:
    row = db.execute(
        "select d.page_count, d.complete_at, (select count(*) from pages p where p.doc_id = d.doc_id "
        "and p.image is not null and p.image_sha256 = p.expected_sha256) "
        "from documents d where d.doc_id = ?", [doc_id]).fetchone()
    if row and row[1] is None and row[2] >= row[0]:
        db.execute("update documents set complete_at = ? where doc_id = ?", [now_iso(), doc_id])


def document_complete(db: sqlite_utils.Database, doc_id: str) -> bool:
    """True once every page of the document has arrived with the hash the document states."""
    row = db.execute("select complete_at from documents where doc_id = ?", [doc_id]).fetchone()
    return bool(row and row[0])


def verdict_payload(verdict: Verdict) -> dict:
    """What the kiosk is told about one of its documents, and nothing about anyone else's.

    ``{"doc_id": <the kiosk's own document>, "at": <ISO time>,
    "outcome": "new" | "same_matter" | "resubmission", "same_matter": bool,
    "resubmission": bool, "case_ref": str | None, "case_status": str | None,
    "resolved_on": "YYYY-MM-DD" | None, "matches": [{"case_ref", "status", "resolved_at"}]}``

    The case fields are those of the best match (a resolved one for a re-submission): what
    the clerk tells the citizen ("already received as case 2025/123, answered on ...").
    No other document's id and no link to the citizen's other letters leave the hub: a
    compromised kiosk would otherwise learn, from a letter it made up, the ids of a citizen's
    documents (then write into them) and which letters are one person's.
    """
    body: dict = {"doc_id": verdict.doc_id, "at": now_iso(), "outcome": "new",
                  "same_matter": False, "resubmission": False, "case_ref": None,
                  "case_status": None, "resolved_on": None, "matches": []}
    if isinstance(verdict, NewMatter):
        return body
    resub = isinstance(verdict, Resubmission)
    best = next((m for m in verdict.matches if resub and m.status == "resolved"), verdict.matches[0]) \
        if verdict.matches else None
    body.update(outcome="resubmission" if resub else "same_matter", same_matter=not resub,
                resubmission=resub)
    if best is not None:
        body.update(case_ref=best.case_ref, case_status=best.status,
                    resolved_on=(best.resolved_at or "")[:10] or None)
    body["matches"] = [{"case_ref": m.case_ref, "status": m.status, "resolved_at": m.resolved_at}
                       for m in verdict.matches]
    return body
