"""The appliance's SQLite spool: every scanned page, the documents built from them, and the outbox.

A page is written here as soon as the scanner hands it over, before any processing, so
no later failure can lose it. Outgoing messages wait in ``outbox`` until the *hub* says it
has committed them (``hub/<device>/ack``): the broker's PUBACK only makes a row *sent*
(the broker holds it, in memory until its next save); the hub's ack makes it *delivered*
and removes it. A sent row the hub has not confirmed is published again after a timeout
that doubles with each try, and at every reconnect. WAL with ``synchronous=FULL``: a power
cut loses nothing that was committed.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from edge.exceptions import DiskFull, SpoolError
from edge.wire import new_id, now_iso

log = logging.getLogger(__name__)

MIN_FREE_MB = 200.0
# A sent row the hub has not confirmed is published again after this, doubling per try up to
# the cap. The hub acks within a second of receiving (one commit plus one fsync), so the first
# timeout only has to outlast a hub restart; the cap bounds the copies a hub that stays away
# makes the broker queue for it: one per row every 30 min (48 a day) — product decision,
# against max_queued_messages (200,000) for a day of a district's kiosks.
ACK_TIMEOUT_S = 60.0
ACK_TIMEOUT_MAX_S = 1800.0
MAX_ATTEMPTS = 2  # a page that fails twice is flagged for review instead of retried


def _m001(db: sqlite_utils.Database) -> None:
    db["batches"].create(
        {"batch_id": str, "source": str, "started_at": str, "ended_at": str, "state": str,
         "error_code": str, "error": str, "doc_id": str},
        pk="batch_id",
    )
    db["pages"].create(
        {"page_id": str, "batch_id": str, "idx": int, "source": str, "raw": bytes,
         "scan_sha256": str, "dpi": int, "scanned_at": str, "state": str, "attempts": int,
         "error_code": str, "error": str, "result": str, "archive": bytes,
         "archive_mime": str, "archive_sha256": str, "processed_at": str},
        pk="page_id",
    )
    db["pages"].create_index(["state"])
    db["pages"].create_index(["batch_id", "idx"])
    db["documents"].create(
        {"doc_id": str, "batch_id": str, "created_at": str, "page_count": int,
         "verdict": str, "verdict_at": str},
        pk="doc_id",
    )
    db["outbox"].create(
        {"seq": int, "msg_id": str, "topic": str, "payload": bytes, "qos": int,
         "retain": int, "created_at": str, "attempts": int, "last_sent_at": str},
        pk="seq",
    )


def _m002_pdf(db: sqlite_utils.Database) -> None:
    db["pages"].add_column("pdf", bytes)


def _m003_delivery(db: sqlite_utils.Database) -> None:
    # Which document an outbox row belongs to, so a document is known to be delivered once
    # its last row is acknowledged; only delivered pages are ever pruned.
    db["outbox"].add_column("doc_id", str)
    db["outbox"].create_index(["doc_id"])
    db["documents"].add_column("delivered_at", str)
    db["pages"].add_column("pruned_at", str)
    db["settings"].create({"key": str, "value": str, "updated_at": str}, pk="key")
    # Content identity of a hot-folder batch: a crash between storing it and moving it to
    # .done must not store it twice when the folder is read again.
    db["batches"].add_column("content_key", str)
    db["batches"].create_index(["content_key"])


def _m004_hub_ack(db: sqlite_utils.Database) -> None:
    # The broker's PUBACK makes a row sent (kept); the hub's ack removes it. ``resend_at``
    # (epoch seconds) is when a sent row the hub has not confirmed is published again.
    db["outbox"].add_column("sent_at", str)
    db["outbox"].add_column("resend_at", float)
    db["outbox"].create_index(["msg_id"])
    db["documents"].add_column("sent_at", str)
    # Rows the broker alone acknowledged before this migration are gone already: nothing is
    # left to re-send for those documents, so they count as sent and delivered as they were.
    db.execute("update documents set sent_at = delivered_at")


MIGRATIONS = [("001_spool", _m001), ("002_page_pdf", _m002_pdf), ("003_delivery", _m003_delivery),
              ("004_hub_ack", _m004_hub_ack)]


@dataclass(frozen=True)
class OutboxRow:
    seq: int
    msg_id: str
    topic: str
    payload: bytes
    qos: int
    retain: bool
    attempts: int = 0  # publishes so far (more than 0: this is a re-send)


def _owner_only(path: Path) -> None:
    """Create the spool file 0600 before SQLite does (it would make it 0644, readable by every
    user), and take group and other bits off an older one and its ``-wal``/``-shm`` files."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            if name.stat().st_mode & 0o077:
                os.chmod(name, 0o600)
        except FileNotFoundError:
            pass


class Spool:
    """Thread-safe access to the spool file (one connection, one lock: SQLite serializes writes anyway)."""

    def __init__(self, path: Path, *, min_free_mb: float = MIN_FREE_MB) -> None:
        self.path = Path(path)
        self.min_free_mb = min_free_mb
        self._lock = threading.RLock()
        self._claims: dict[int, str] = {}  # thread id -> page it claimed and has not finished
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            _owner_only(self.path)
            conn = sqlite3.connect(str(self.path), timeout=30, check_same_thread=False)
            self.db = sqlite_utils.Database(conn)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self._migrate()
            _owner_only(self.path)
        except (sqlite3.Error, OSError) as e:
            raise SpoolError(f"cannot open spool {self.path}: {e}") from e

    def _migrate(self) -> None:
        if "_migrations" not in self.db.table_names():
            self.db["_migrations"].create({"name": str, "applied_at": str}, pk="name")
        done = {r["name"] for r in self.db["_migrations"].rows}
        for name, step in MIGRATIONS:
            if name not in done:
                with self.db.atomic():
                    step(self.db)
                    self.db["_migrations"].insert({"name": name, "applied_at": now_iso()})

    @contextmanager
    def _tx(self) -> Iterator[sqlite_utils.Database]:
        with self._lock:
            try:
                # atomic(): one real transaction; sqlite-utils' own writes nest as savepoints.
                with self.db.atomic():
                    yield self.db
            except sqlite3.Error as e:  # the transaction is rolled back; nothing half-written
                if "full" in str(e).lower():
                    raise DiskFull(f"spool disk full: {e}") from e
                raise SpoolError(f"spool write failed: {e}") from e

    def _rows(self, sql: str, params: list[Any] | tuple = ()) -> list[dict[str, Any]]:
        # One connection is shared by the agent's threads: every read holds the lock too.
        with self._lock:
            cur = self.db.conn.execute(sql, params)
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def _one(self, sql: str, params: list[Any] | tuple = ()) -> Any:
        with self._lock:
            row = self.db.conn.execute(sql, params).fetchone()
            return row[0] if row else None

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self.db.conn.close()

    # -- disk -------------------------------------------------------------------------------
    def free_mb(self) -> float:
        """Free space on the spool's file system, in MB."""
        return shutil.disk_usage(self.path.parent).free / 1e6

    def check_space(self) -> None:
        """Raise DiskFull before a scan when free space is below the safety margin.

        Pages the hub already has are pruned first, whatever their age: they are safe there.
        """
        free = self.free_mb()
        if free < self.min_free_mb and self.prune(older_than_s=0.0):
            with self._lock:
                self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            free = self.free_mb()
        if free < self.min_free_mb:
            raise DiskFull(f"only {free:.0f} MB free on the spool disk (need {self.min_free_mb:.0f} MB)")

    # -- batches and pages ------------------------------------------------------------------
    def start_batch(self, *, source: str, content_key: str = "") -> str:
        """Record a new scanning batch and return its id.

        ``content_key`` identifies a batch that can be read again (a hot-folder batch): an
        unfinished batch with the same key, left by a crash, is discarded first — its source
        is still there and is being read again now.
        """
        batch_id = new_id()
        with self._tx() as db:
            if content_key:
                for (old,) in db.execute("select batch_id from batches where content_key = ? and "
                                         "state = 'scanning'", [content_key]).fetchall():
                    db.execute("delete from pages where batch_id = ?", [old])
                    db.execute("delete from batches where batch_id = ?", [old])
            db["batches"].insert({"batch_id": batch_id, "source": source, "started_at": now_iso(),
                                  "state": "scanning", "content_key": content_key or None})
        return batch_id

    def batch_stored(self, content_key: str) -> bool:
        """Was a batch with this content fully stored already (its source can be let go)?"""
        return bool(self._one("select 1 from batches where content_key = ? and state != 'scanning'",
                              [content_key]))

    def close_interrupted_batches(self) -> int:
        """Batches a crash left 'scanning' end as they are: their pages went through the scanner.

        (Hot-folder batches are not closed here: their folder is read again and replaces them.)
        Returns how many were closed.
        """
        with self._tx() as db:
            return db.execute(
                "update batches set state = 'scanned', ended_at = ?, error_code = 'interrupted', "
                "error = 'agent stopped during the batch' where state = 'scanning' and "
                "content_key is null", [now_iso()]).rowcount

    def add_page(self, *, batch_id: str, idx: int, raw: bytes, source: str, dpi: int,
                 scan_sha256: str) -> str:
        """Store a page exactly as scanned; it is safe from here on."""
        page_id = new_id()
        with self._tx() as db:
            db["pages"].insert({
                "page_id": page_id, "batch_id": batch_id, "idx": idx, "source": source, "raw": raw,
                "scan_sha256": scan_sha256, "dpi": dpi, "scanned_at": now_iso(), "state": "new",
                "attempts": 0,
            })
        return page_id

    def end_batch(self, batch_id: str, *, error_code: str = "", error: str = "") -> None:
        """Mark a batch as fully scanned (also after a scanner error: its pages stay)."""
        with self._tx() as db:
            db["batches"].update(batch_id, {"state": "scanned", "ended_at": now_iso(),
                                            "error_code": error_code, "error": error})

    def claim_page(self) -> dict[str, Any] | None:
        """Take the oldest unprocessed page for a worker (None when there is none)."""
        with self._tx() as db:
            rows = self._rows(
                "select page_id, batch_id, idx, source, raw, dpi, attempts from pages "
                "where state = 'new' order by scanned_at, idx limit 1")
            row = rows[0] if rows else None
            if row is None:
                return None
            db.execute("update pages set state = 'processing', attempts = attempts + 1 "
                       "where page_id = ?", [row["page_id"]])
            row["attempts"] += 1
            self._claims[threading.get_ident()] = row["page_id"]
            return row

    def release_claim(self) -> bool:
        """Put the page this thread claimed and did not finish back in the queue (its worker
        is dying); True when there was one."""
        page_id = self._claims.pop(threading.get_ident(), None)
        if page_id is None:
            return False
        with self._tx() as db:
            return db.execute("update pages set state = 'new' where page_id = ? and "
                              "state = 'processing'", [page_id]).rowcount > 0

    def requeue_interrupted(self) -> int:
        """Pages left 'processing' by a crash go back to the queue; return how many."""
        with self._tx() as db:
            return db.execute("update pages set state = 'new' where state = 'processing'").rowcount

    def page_done(self, page_id: str, *, result: dict[str, Any], archive: bytes, mime: str,
                  archive_sha256: str, pdf: bytes = b"") -> None:
        """Store what the pipeline produced for a page (skipped if the page is gone meanwhile)."""
        self._claims.pop(threading.get_ident(), None)
        with self._tx() as db:
            gone = db.execute(
                "update pages set state = 'done', result = ?, archive = ?, archive_mime = ?, "
                "archive_sha256 = ?, pdf = ?, processed_at = ?, error_code = '', error = '' "
                "where page_id = ?",
                [json.dumps(result, ensure_ascii=False), archive, mime, archive_sha256, pdf or None,
                 now_iso(), page_id]).rowcount == 0
        if gone:
            _vanished(page_id)

    def page_failed(self, page_id: str, *, attempts: int, code: str, detail: str) -> bool:
        """Record a failure; retry once, then flag. Return True when the page is given up on."""
        final = attempts >= MAX_ATTEMPTS or code == "image_invalid"
        self._claims.pop(threading.get_ident(), None)
        with self._tx() as db:
            gone = db.execute("update pages set state = ?, error_code = ?, error = ?, "
                              "processed_at = ? where page_id = ?",
                              ["failed" if final else "new", code, detail, now_iso(),
                               page_id]).rowcount == 0
        if gone:
            _vanished(page_id)
            return True
        return final

    def batches_ready(self) -> list[dict[str, Any]]:
        """Scanned batches with every page done or failed and no document yet."""
        return self._rows(
            "select b.* from batches b where b.state = 'scanned' and not exists "
            "(select 1 from pages p where p.batch_id = b.batch_id and p.state in ('new', 'processing'))")

    def batch_pages(self, batch_id: str) -> list[dict[str, Any]]:
        """Pages of a batch in scan order."""
        return self._rows("select * from pages where batch_id = ? order by idx", [batch_id])

    def finish_batch(self, batch_id: str, *,
                     documents: list[tuple[str, int, tuple[tuple[str, str, bytes], ...]]]) -> None:
        """Atomically: record the batch's documents, queue their messages, close the batch.

        ``documents`` holds (doc_id, page_count, messages) with messages as (msg_id, topic, payload).
        """
        with self._tx() as db:
            for doc_id, page_count, messages in documents:
                db["documents"].insert({"doc_id": doc_id, "batch_id": batch_id,
                                        "created_at": now_iso(), "page_count": page_count})
                for msg_id, topic, payload in messages:
                    db["outbox"].insert({"msg_id": msg_id, "topic": topic, "payload": payload,
                                         "qos": 1, "retain": 0, "created_at": now_iso(),
                                         "attempts": 0, "doc_id": doc_id})
            db["batches"].update(batch_id, {
                "state": "queued" if documents else "empty",
                "doc_id": ",".join(d[0] for d in documents),
            })

    # -- outbox -----------------------------------------------------------------------------
    def pending(self, *, exclude: set[int], limit: int) -> list[OutboxRow]:
        """Oldest outbox rows to publish: never sent, or sent and due again; none in ``exclude``."""
        rows = self._rows("select seq, msg_id, topic, payload, qos, retain, attempts from outbox "
                          "where sent_at is null or resend_at <= ? order by seq limit ?",
                          [time.time(), limit + len(exclude)])
        out = [OutboxRow(r["seq"], r["msg_id"], r["topic"], r["payload"], r["qos"], bool(r["retain"]),
                         r["attempts"] or 0)
               for r in rows if r["seq"] not in exclude]
        return out[:limit]

    def mark_sent(self, seq: int) -> None:
        """Count a publish attempt."""
        with self._tx() as db:
            db.execute("update outbox set attempts = attempts + 1, last_sent_at = ? where seq = ?",
                       [now_iso(), seq])

    def acknowledge(self, seqs: list[int], *, resend_after_s: float = ACK_TIMEOUT_S) -> None:
        """The broker has these rows: they are *sent* and wait for the hub's ack.

        Each is due again ``resend_after_s`` × 2^(tries − 1) from now (at most
        ``ACK_TIMEOUT_MAX_S``) unless the hub confirms it first.
        """
        if not seqs:
            return
        now, stamp = time.time(), now_iso()
        with self._tx() as db:
            marks = ",".join("?" * len(seqs))
            for seq, attempts in db.execute(f"select seq, attempts from outbox where seq in ({marks})",
                                            seqs).fetchall():
                wait = min(resend_after_s * 2 ** max(0, (attempts or 1) - 1), ACK_TIMEOUT_MAX_S)
                db.execute("update outbox set sent_at = coalesce(sent_at, ?), resend_at = ? "
                           "where seq = ?", [stamp, now + wait, seq])
            docs = [r[0] for r in db.execute(
                f"select distinct doc_id from outbox where seq in ({marks}) and doc_id is not null",
                seqs).fetchall()]
            for doc_id in docs:
                db.execute("update documents set sent_at = ? where doc_id = ? and sent_at is null "
                           "and not exists (select 1 from outbox where doc_id = ? and sent_at is null)",
                           [stamp, doc_id, doc_id])

    def confirm(self, msg_ids: list[str] | tuple[str, ...]) -> int:
        """The hub has committed these messages: drop their rows; note delivered documents.

        Returns how many rows left the outbox (0 for an ack repeated by the broker).
        """
        if not msg_ids:
            return 0
        stamp = now_iso()
        with self._tx() as db:
            marks = ",".join("?" * len(msg_ids))
            ids = list(msg_ids)
            docs = [r[0] for r in db.execute(
                f"select distinct doc_id from outbox where msg_id in ({marks}) and doc_id is not null",
                ids).fetchall()]
            gone = db.execute(f"delete from outbox where msg_id in ({marks})", ids).rowcount
            for doc_id in docs:
                db.execute("update documents set delivered_at = ?, sent_at = coalesce(sent_at, ?) "
                           "where doc_id = ? and delivered_at is null "
                           "and not exists (select 1 from outbox where doc_id = ?)",
                           [stamp, stamp, doc_id, doc_id])
        return gone

    def resend_unconfirmed(self) -> int:
        """Make every sent row the hub has not confirmed due now (after a reconnect: the broker
        may have restarted without them); return how many."""
        with self._tx() as db:
            return db.execute("update outbox set resend_at = ? where sent_at is not null",
                              [time.time()]).rowcount

    def prune(self, *, older_than_s: float) -> int:
        """Drop the image bytes of pages whose documents were all delivered over ``older_than_s`` ago.

        Delivered means the hub said it committed every message of the document
        (``hub/<device>/ack``); the broker's PUBACK alone never lets a page go. Rows stay
        (light, for the screen and the day's counts). Returns the number of pages pruned.
        """
        cutoff = datetime.fromtimestamp(time.time() - older_than_s, UTC).isoformat(timespec="seconds")
        with self._tx() as db:
            return db.execute(
                "update pages set raw = null, archive = null, pdf = null, pruned_at = ? "
                "where pruned_at is null and batch_id in ("
                " select b.batch_id from batches b where"
                " (b.state = 'queued' and not exists (select 1 from documents d where"
                "   d.batch_id = b.batch_id and (d.delivered_at is null or d.delivered_at > ?)))"
                " or (b.state = 'empty' and b.ended_at <= ?))",
                [now_iso(), cutoff, cutoff]).rowcount

    # -- small persistent settings (applied desired-config version, ...) --------------------
    def get_setting(self, key: str, default: str = "") -> str:
        """A value stored with :meth:`set_setting`, or ``default``."""
        value = self._one("select value from settings where key = ?", [key])
        return default if value is None else str(value)

    def set_setting(self, key: str, value: str) -> None:
        """Store a small value that must survive a restart."""
        with self._tx() as db:
            db.execute("insert into settings (key, value, updated_at) values (?, ?, ?) "
                       "on conflict(key) do update set value = excluded.value, "
                       "updated_at = excluded.updated_at", [key, value, now_iso()])

    def set_verdict(self, doc_id: str, verdict: dict[str, Any]) -> None:
        """Store the hub's verdict on one of our documents."""
        with self._tx() as db:
            db.execute("update documents set verdict = ?, verdict_at = ? where doc_id = ?",
                       [json.dumps(verdict, ensure_ascii=False), now_iso(), doc_id])

    # -- figures for metrics and the kiosk screen -------------------------------------------
    def stats(self) -> dict[str, Any]:
        """Outbox depth and oldest age, sent and delivered documents, OCR backlog, pages today."""
        today = datetime.now(UTC).date().isoformat()
        one = self._one
        return {
            "outbox_depth": one("select count(*) from outbox"),
            "outbox_oldest_s": _age_s(one("select min(created_at) from outbox")),
            # Documents the broker has taken whole, and those the hub confirmed committed.
            "sent": one("select count(*) from documents where sent_at is not null"),
            "delivered": one("select count(*) from documents where delivered_at is not null"),
            "oldest_undelivered_s": _age_s(one("select min(created_at) from documents "
                                               "where delivered_at is null")),
            "unconfirmed": one("select count(*) from outbox where sent_at is not null"),
            "ocr_backlog": one("select count(*) from pages where state in ('new','processing')"),
            "pages_today": one("select count(*) from pages where scanned_at >= ?", [today]),
            "failed_pages": one("select count(*) from pages where state = 'failed'"),
            "ocr_ms_per_page": self._ocr_ms_per_page(),
        }

    def _ocr_ms_per_page(self, *, window: int = 50) -> float:
        """Mean pipeline time of the last ``window`` processed pages (0 when none)."""
        rows = self._rows("select json_extract(result, '$.timings_ms') as t from pages "
                          "where state = 'done' and result is not null "
                          "order by processed_at desc limit ?", [window])
        totals = []
        for r in rows:
            try:
                timings = json.loads(r["t"]) if r["t"] else {}
            except ValueError:
                continue
            if isinstance(timings, dict) and timings:
                total = timings.get("total")
                totals.append(float(total) if isinstance(total, int | float)
                              else sum(float(v) for v in timings.values() if isinstance(v, int | float)))
        return round(sum(totals) / len(totals), 1) if totals else 0.0

    # -- kiosk screen -----------------------------------------------------------------------
    def screen_pages(self, batch_id: str) -> list[dict[str, Any]]:
        """Light rows (no image bytes) of a batch for the kiosk screen."""
        return self._rows(
            "select page_id, idx, state, error_code, json_extract(result, '$.flags') as flags "
            "from pages where batch_id = ? order by idx", [batch_id])

    def page_image(self, page_id: str) -> bytes | None:
        """The processed page if there is one, else the page as scanned."""
        return self._one("select coalesce(archive, raw) from pages where page_id = ?", [page_id])

    def recent_documents(self, limit: int = 5) -> list[dict[str, Any]]:
        """Newest documents with the hub's verdict when it has answered."""
        return self._rows(
            "select doc_id, created_at, page_count, verdict from documents "
            "order by created_at desc limit ?", [limit])


def _age_s(iso: str | None) -> float:
    if not iso:
        return 0.0
    return round((datetime.now(UTC) - datetime.fromisoformat(iso)).total_seconds(), 1)


def _vanished(page_id: str) -> None:
    # start_batch replaced its batch (the hot folder was read again after a restart) while a
    # worker held it: the new batch has the same page, so this result is simply not needed.
    log.info("page %s is no longer in the spool (its batch was replaced); result skipped", page_id)
