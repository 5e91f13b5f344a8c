"""The hub ingester: kiosk messages into the city index, acknowledged once committed.

The broker connection and the reading of each message run in a helper process
(``link.BrokerLink``); this process holds the index. Messages are acknowledged manually,
only after they are committed: a crash between receipt and commit makes the broker deliver
again, and the idempotent handler absorbs the repeat.

One writer thread takes whatever has arrived (up to ``BATCH_MAX`` messages) and applies it in
one SQLite transaction; each message is acknowledged once that commit is on disk (fsynced
by a thread of its own, ``WalSync``, while the writer goes on). It also publishes what the
panel asked for: desired configurations (retained) and commands (not retained), read
from the index where the panel wrote them — the panel itself holds no broker connection.
"""
from __future__ import annotations

import json
import logging
import queue
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from edge.supervise import Supervisor
from edge.wire import (
    Command,
    DesiredConfig,
    DocumentMessage,
    HubAck,
    PageImageMessage,
    ack_topic,
    command_topic,
    config_topic,
    new_id,
    now_iso,
    verdict_topic,
)
from hub.config import MqttConfig
from hub.dedup.match import recheck_pending, recheck_proposed
from hub.index import Checkpointer, WalSync, open_index
from hub.ingest.handle import Rejected, Stored, handle_batch, verdict_payload
from hub.ingest.link import BrokerLink, Received

log = logging.getLogger(__name__)

__all__ = ["BATCH_MAX", "Ingester"]

# Messages applied per transaction. Larger batches amortise the commit; the cost is that a
# message waits for the others in its batch (a few ms each).
BATCH_MAX = 200
# How often the writer looks for config/commands the panel queued.
CONTROL_POLL_S = 1.0
# When no message waits, the writer re-checks older duplicate proposals in slices this long
# (``match.recheck_proposed``), so a message arriving meanwhile waits at most about this.
RECHECK_SLICE_S = 0.05
# The writer connection's SQLite page cache.
WRITER_CACHE_MB = 64
# A batch taking longer than this is logged (each message in it waited as long).
SLOW_BATCH_S = 1.0
# The writer turns its loop at least every CONTROL_POLL_S and a batch commits in well under
# ten seconds at a fleet's rate (tests/bench/bench_load.py); two minutes without a turn is a
# hang, and the main loop stops the watchdog pings so that systemd restarts the ingester.
WRITER_HANG_S = 120.0
# Once connected, the hub has taken the broker's backlog when no document or page came for
# this long (the broker hands a backlog over at network speed, without gaps), or at the
# latest after CAUGHT_UP_MAX_S; it then tells every kiosk to re-send what it has not
# confirmed (lost in a broker restart).
CAUGHT_UP_S = 2.0
CAUGHT_UP_MAX_S = 60.0
# Kiosks told so: those seen within this long (a kiosk away longer re-sends when it reconnects).
HELLO_DEVICES_S = 30 * 86400
# A batch whose commit failed (disk full, I/O error) is tried again after this pause,
# doubled per failure: its messages are held unacknowledged, and the broker would send them
# again only at the next reconnect.
RETRY_S = 1.0
RETRY_MAX_S = 30.0


class Ingester:
    """Receives kiosk messages, stores them, acknowledges them, answers with verdicts."""

    def __init__(self, *, db_path: Path, mqtt_cfg: MqttConfig) -> None:
        self.db_path = db_path
        self.cfg = mqtt_cfg
        self._queue: queue.Queue[Received | None] = queue.Queue()
        self._stop = threading.Event()
        self.stored = 0
        self.hub_acks = 0  # end-to-end acks published (one per kiosk per committed batch)
        self.last_error = ""  # the writer's; the broker connection's is the link's
        self._control_acks: queue.SimpleQueue[int | None] = queue.SimpleQueue()
        self._control_pending: dict[int, tuple[str, str]] = {}  # token -> (table, key)
        self._link = BrokerLink(mqtt_cfg, on_messages=self._received, on_puback=self._control_acks.put,
                                on_restart=lambda: self._control_acks.put(None))
        self.connected = self._link.connected
        self.supervisor = Supervisor(self._stop)
        self._retry: list[Received] = []  # a batch to store again (its commit failed)
        self._failures = 0
        self._beat = time.monotonic()  # the writer's last turn of its loop
        self._last_received = 0.0
        self._caught_up = False  # the kiosks were told the hub has taken the broker's backlog
        self._connected_at = 0.0
        self._db: sqlite_utils.Database | None = None
        self._checkpointer = Checkpointer(db_path)
        self._sync = WalSync(db_path)

    def _received(self, items: list[Received]) -> None:
        # Only outbox traffic shows the broker's backlog (metrics arrive all the time).
        if any(i.parsed.topic.endswith(("/doc", "/page")) for i in items):
            self._last_received = time.monotonic()
        for item in items:
            self._queue.put(item)

    def start(self) -> None:
        """Start the broker link (it connects, retrying, in the background) and the writer thread."""
        # Open (and migrate) the index here, not in the thread: when start() returns the index
        # is ready, and a bad path fails the command instead of a background thread.
        self._db = open_index(self.db_path)
        # A message is acknowledged once committed, and committed must mean on disk, power cut
        # included: the commit writes the log, and ``WalSync`` fsyncs it before the messages
        # are acknowledged, while the writer goes on with the next batch.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._sync.start()
        # Matching reads a few hundred rows per document (band buckets, candidates' fingerprints)
        # all over the index: a page cache of its own, bounded, instead of SQLite's 2 MB default
        # (about 10% more documents per second at 12k documents).
        self._db.execute(f"PRAGMA cache_size=-{WRITER_CACHE_MB * 1024}")
        self._checkpointer.start(self._db)
        self.supervisor.spawn("hub-ingest", self._run)
        self._link.start()

    def stop(self) -> None:
        """Disconnect and let the writer finish what it holds."""
        # The writer ends first and what it committed is acknowledged (to the broker and to
        # the kiosks) over a link still up; only then does the link disconnect. What arrives
        # meanwhile is neither stored nor acknowledged: the broker delivers it again.
        self._stop.set()
        self._queue.put(None)
        self.supervisor.join(timeout_s=10)
        self._sync.stop()
        self._link.stop()
        self._checkpointer.stop()
        if self._db is not None and not self.supervisor.running():
            self._db.conn.close()

    def health_check(self) -> None:
        """Raise when the writer has not turned its loop for ``WRITER_HANG_S`` (a hang)."""
        idle = time.monotonic() - self._beat
        if idle > WRITER_HANG_S:
            raise RuntimeError(f"the index writer has not moved for {idle:.0f} s")

    # -- writer thread -----------------------------------------------------------------------
    def _next_batch(self, *, wait: bool = True) -> list[Received] | None:
        if self._retry:
            batch, self._retry = self._retry, []
            return batch
        try:
            first = self._queue.get(timeout=CONTROL_POLL_S) if wait else self._queue.get_nowait()
        except queue.Empty:
            return []
        if first is None:
            return None
        batch = [first]
        while len(batch) < BATCH_MAX:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is None:
                self._queue.put(None)  # stop after this batch
                break
            batch.append(item)
        return batch

    def _run(self) -> None:
        """The writer (supervised: restarted if it raises; the batch it held is tried again)."""
        db = self._db
        next_control = 0.0
        recheck = recheck_pending(db)
        while True:
            self._beat = time.monotonic()
            batch = self._next_batch(wait=not recheck)
            if batch is None:
                return
            if batch:
                self._retry = batch  # until stored: a writer that dies here tries it again
                self._store(db, batch)
                recheck = recheck_pending(db)
            elif recheck:
                recheck = self._recheck(db)
            if time.monotonic() >= next_control:
                next_control = time.monotonic() + CONTROL_POLL_S
                try:
                    self._say_caught_up(db)
                    self._publish_control(db)
                except Exception as e:  # the rows stay pending; tried again next poll
                    self.last_error = f"control publish failed: {e}"
                    log.exception("could not publish config/commands")

    def _recheck(self, db: sqlite_utils.Database) -> bool:
        """One idle slice of the re-check of older proposals; True while some are left."""
        try:
            with db.atomic():
                return recheck_proposed(db, budget_s=RECHECK_SLICE_S)
        except Exception as e:  # noqa: BLE001 — rolled back; tried again after the next batch
            self.last_error = f"re-check of proposals failed: {e}"
            log.exception("could not re-check duplicate proposals")
            return False

    def _store(self, db: sqlite_utils.Database, batch: list[Received]) -> None:
        began = time.perf_counter()
        try:
            outcomes = handle_batch(db, [i.parsed for i in batch])
        except Exception as e:  # the commit failed: nothing acknowledged; tried again here
            self.last_error = f"store failed: {e}"
            log.exception("could not store a batch of %d message(s)", len(batch))
            self._failures += 1
            self._stop.wait(min(RETRY_S * 2 ** (self._failures - 1), RETRY_MAX_S))
            self._retry = batch
            return
        self._retry, self._failures = [], 0
        acks, verdicts = [], []
        committed: dict[str, tuple[list[str], list[str]]] = {}  # device -> (stored, kept aside)
        for item, outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, Exception):  # not acknowledged: the broker delivers it again
                self.last_error = f"store failed: {outcome}"
                log.error("could not store message on %s: %r", item.parsed.topic, outcome)
                continue
            if item.qos > 0:
                acks.append((item.mid, item.qos))
            _note_committed(committed, item, outcome)
            if isinstance(outcome, Stored):
                self.stored += 1
                if outcome.verdict is not None:
                    verdicts.append((verdict_topic(outcome.device_id),
                                     json.dumps(verdict_payload(outcome.verdict)).encode(), 1, False))
        # The kiosk keeps a message until it is listed here, so these go out only after the
        # commit is on disk, like the broker acks: one message per kiosk per batch.
        hub_acks = [(ack_topic(device), HubAck(msg_id=new_id(), device_id=device, sent_at=now_iso(),
                                               msg_ids=tuple(ok), rejected=tuple(bad)).to_json(), 1, False)
                    for device, (ok, bad) in committed.items()]
        self.hub_acks += len(hub_acks)
        # Kiosk acks before broker acks: if the link goes between the two, the broker delivers
        # the messages again and they are acknowledged again, instead of a kiosk waiting.
        self._sync.after(lambda: (self._link.publish(hub_acks + verdicts), self._link.ack(acks)))
        took = time.perf_counter() - began
        if took > SLOW_BATCH_S:
            log.info("stored a batch of %d message(s) in %.2f s", len(batch), took)

    def _say_caught_up(self, db: sqlite_utils.Database) -> None:
        """After a (re)connect, once the broker's backlog is in: kiosks re-send what is missing."""
        now = time.monotonic()
        if not self.connected.is_set():
            self._caught_up, self._connected_at = False, 0.0
            return
        self._connected_at = self._connected_at or now
        if self._caught_up:
            return
        if now - self._connected_at < CAUGHT_UP_MAX_S and (
                not self._queue.empty() or self._retry or now - self._last_received < CAUGHT_UP_S):
            return
        since = datetime.fromtimestamp(time.time() - HELLO_DEVICES_S, UTC).isoformat(timespec="seconds")
        devices = [r[0] for r in db.execute("select device_id from devices where last_seen >= ?",
                                            [since]).fetchall()]
        self._link.publish([(ack_topic(d), HubAck(msg_id=new_id(), device_id=d, sent_at=now_iso(),
                                                  resend=True).to_json(), 1, False) for d in devices])
        self._caught_up = True
        if devices:
            log.info("caught up with the broker: %d kiosk(s) asked to re-send what the hub lacks",
                     len(devices))

    def _publish_control(self, db: sqlite_utils.Database) -> None:
        """Publish desired configs and commands the panel queued; mark them on PUBACK."""
        while True:
            try:
                token = self._control_acks.get_nowait()
            except queue.Empty:
                break
            if token is None:  # the link restarted: what it had not confirmed is published again
                self._control_pending.clear()
                continue
            entry = self._control_pending.pop(token, None)
            if entry is None:
                continue
            table, key = entry
            with db.atomic():
                if table == "device_config":
                    db.execute("update device_config set published_at = ? where device_id = ? "
                               "and version = ?", [now_iso(), *key.split("\0")])
                else:
                    db.execute("update device_commands set sent_at = ? where command_id = ?",
                               [now_iso(), key])
        if not self.connected.is_set():
            return
        waiting = {v for v in self._control_pending.values()}
        for row in db.query("select device_id, version, settings from device_config "
                            "where published_at is null"):
            key = ("device_config", f"{row['device_id']}\0{row['version']}")
            if key in waiting:
                continue
            msg = DesiredConfig(msg_id=new_id(), device_id=row["device_id"], sent_at=now_iso(),
                                version=int(row["version"]), settings=json.loads(row["settings"]))
            for token in self._link.publish([(config_topic(row["device_id"]), msg.to_json(), 1, True)],
                                             tokens=True):
                self._control_pending[token] = key
        now = now_iso()
        for row in db.query("select command_id, device_id, action, expires_at, issued_by, args "
                            "from device_commands where sent_at is null and expires_at > ?", [now]):
            key = ("device_commands", row["command_id"])
            if key in waiting:
                continue
            msg = Command(msg_id=new_id(), device_id=row["device_id"], sent_at=now,
                          command_id=row["command_id"], action=row["action"],
                          expires_at=row["expires_at"], issued_by=row["issued_by"] or "",
                          args=json.loads(row["args"]) if row["args"] else {})
            for token in self._link.publish([(command_topic(row["device_id"]), msg.to_json(), 1, False)],
                                             tokens=True):
                self._control_pending[token] = key


def _note_committed(committed: dict[str, tuple[list[str], list[str]]], item: Received,
                    outcome: object) -> None:
    """Add a committed kiosk outbox message (document or page image) to its kiosk's ack."""
    msg = item.parsed.msg
    if not isinstance(msg, DocumentMessage | PageImageMessage) or not msg.msg_id:
        return  # status and metrics are not outbox rows; unreadable ones carry no id
    # A message read at all was published under its own kiosk's topic (``read.parse``).
    ok, bad = committed.setdefault(msg.device_id, ([], []))
    (bad if isinstance(outcome, Rejected) else ok).append(msg.msg_id)
