"""MQTT subscriber of the hub (paho-mqtt 2.x, MQTT 5): the one place the hub talks to the broker.

Persistent session (``clean_start=False`` with a long expiry) so the broker queues what
kiosks send while the ingester is away. Messages are acknowledged manually, only after
they are committed to the index: a crash between receipt and commit makes the broker
deliver again, and the idempotent handler absorbs the repeat.

Messages are read (decoded and checked) in a helper process (``read.Reader``); one writer
thread takes whatever has arrived (up to ``BATCH_MAX`` messages), applies it in
one SQLite transaction and only then acknowledges each message. It also publishes what the
panel asked for: desired configurations (retained) and commands (not retained), read
from the index where the panel wrote them — the panel itself holds no broker connection.
"""
from __future__ import annotations

import json
import logging
import queue
import ssl
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import paho.mqtt.client as mqtt
import sqlite_utils
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from edge.wire import (
    TOPIC_ROOT,
    Command,
    DesiredConfig,
    command_topic,
    config_topic,
    new_id,
    now_iso,
    verdict_topic,
)
from hub.config import MqttConfig
from hub.exceptions import BrokerError
from hub.index import Checkpointer, open_index
from hub.ingest.handle import Stored, handle_batch, verdict_payload
from hub.ingest.read import Parsed, Reader

log = logging.getLogger(__name__)

SUBSCRIPTIONS = [(f"{TOPIC_ROOT}/+/{kind}", 1)
                 for kind in ("doc", "page", "status", "metrics", "cmdack")]
SESSION_EXPIRY_S = 7 * 24 * 3600
# Messages applied per transaction. Larger batches amortise the commit; the cost is that a
# message waits for the others in its batch (a few ms each).
BATCH_MAX = 200
# How often the writer looks for config/commands the panel queued.
CONTROL_POLL_S = 1.0


@dataclass(frozen=True)
class _Incoming:
    topic: str
    payload: bytes
    mid: int
    qos: int
    parsed: Parsed | None = None  # read by the reader process (else the writer reads it)


class Ingester:
    """Receives kiosk messages, stores them, acknowledges them, answers with verdicts."""

    def __init__(self, *, db_path: Path, mqtt_cfg: MqttConfig, reader_process: bool = True) -> None:
        self.db_path = db_path
        self.cfg = mqtt_cfg
        self._queue: queue.Queue[_Incoming | None] = queue.Queue()
        self._stop = threading.Event()
        self.connected = threading.Event()
        self.last_error = ""
        self.stored = 0
        self._control_acks: queue.SimpleQueue[int] = queue.SimpleQueue()
        self._control_pending: dict[int, tuple[str, str]] = {}  # mid -> (table, key)
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=mqtt_cfg.client_id,
                                  protocol=mqtt.MQTTv5, manual_ack=True)
        if mqtt_cfg.username:
            self.client.username_pw_set(mqtt_cfg.username, mqtt_cfg.password or None)
        if mqtt_cfg.tls:
            self.client.tls_set(ca_certs=str(mqtt_cfg.ca_file) if mqtt_cfg.ca_file else None,
                                certfile=str(mqtt_cfg.cert_file) if mqtt_cfg.cert_file else None,
                                keyfile=str(mqtt_cfg.key_file) if mqtt_cfg.key_file else None,
                                cert_reqs=ssl.CERT_REQUIRED)
        self.client.reconnect_delay_set(min_delay=1, max_delay=30)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.on_publish = self._on_publish
        self._worker: threading.Thread | None = None
        self._db: sqlite_utils.Database | None = None
        # Messages are read (decoded, checked, a document's text folded) in a helper process
        # while the writer stores earlier ones: the hub uses a second core.
        self._reader = Reader(self._read) if reader_process else None
        self._checkpointer = Checkpointer(db_path)

    def _on_connect(self, client, userdata, flags, reason_code, properties):  # noqa: ANN001
        if reason_code.is_failure:
            self.last_error = f"broker refused the hub: {reason_code}"
            log.error("%s", self.last_error)
            return
        client.subscribe(SUBSCRIPTIONS)
        self.connected.set()
        log.info("hub ingester connected to %s:%s", self.cfg.host, self.cfg.port)

    def _on_disconnect(self, client, userdata, flags, reason_code, properties):  # noqa: ANN001
        self.connected.clear()
        if not self._stop.is_set():
            log.warning("hub ingester disconnected: %s", reason_code)

    def _on_message(self, client, userdata, msg):  # noqa: ANN001
        item = _Incoming(msg.topic, msg.payload, msg.mid, msg.qos)
        if self._reader is None:
            self._queue.put(item)
        else:
            self._reader.submit(item, msg.topic, msg.payload)

    def _read(self, item: _Incoming, parsed: Parsed | None) -> None:
        """From the reader, in order: a message read (its payload no longer needed), or one
        the writer reads itself."""
        if parsed is not None:
            item = _Incoming(item.topic, b"", item.mid, item.qos, parsed)
        self._queue.put(item)

    def _on_publish(self, client, userdata, mid, reason_code, properties):  # noqa: ANN001
        # paho's lock is held here: hand the mid over, the writer does the database work.
        if not getattr(reason_code, "is_failure", False):
            self._control_acks.put(mid)

    def start(self) -> None:
        """Connect (retrying in the background) and start the single writer thread."""
        # Open (and migrate) the index here, not in the thread: when start() returns the index
        # is ready, and a bad path fails the command instead of a background thread.
        self._db = open_index(self.db_path)
        # A message is acknowledged once committed: committed must mean on disk, power cut
        # included (an fsync per batch of up to BATCH_MAX messages).
        self._db.execute("PRAGMA synchronous=FULL")
        self._checkpointer.start(self._db)
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = SESSION_EXPIRY_S
        try:
            self.client.connect_async(self.cfg.host, self.cfg.port, keepalive=self.cfg.keepalive_s,
                                      clean_start=False, properties=props)
        except (OSError, ValueError) as e:
            raise BrokerError(f"cannot connect to {self.cfg.host}:{self.cfg.port}: {e}") from e
        if self._reader is not None:
            self._reader.start()
        self._worker = threading.Thread(target=self._run, name="hub-ingest", daemon=True)
        self._worker.start()
        self.client.loop_start()

    def stop(self) -> None:
        """Disconnect and let the writer finish what it holds."""
        self._stop.set()
        self.client.disconnect()
        self.client.loop_stop()
        if self._reader is not None:
            self._reader.stop()  # hands on what it holds first
        self._queue.put(None)
        if self._worker:
            self._worker.join(timeout=10)

    # -- writer thread -----------------------------------------------------------------------
    def _next_batch(self) -> list[_Incoming] | None:
        try:
            first = self._queue.get(timeout=CONTROL_POLL_S)
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
        db = self._db
        next_control = 0.0
        try:
            while True:
                batch = self._next_batch()
                if batch is None:
                    return
                if batch:
                    self._store(db, batch)
                if time.monotonic() >= next_control:
                    next_control = time.monotonic() + CONTROL_POLL_S
                    try:
                        self._publish_control(db)
                    except Exception as e:  # the rows stay pending; tried again next poll
                        self.last_error = f"control publish failed: {e}"
                        log.exception("could not publish config/commands")
        finally:
            self._checkpointer.stop()
            db.conn.close()

    def _store(self, db: sqlite_utils.Database, batch: list[_Incoming]) -> None:
        try:
            outcomes = handle_batch(db, [i.parsed or (i.topic, i.payload) for i in batch])
        except Exception as e:  # the commit failed: nothing acknowledged, all delivered again
            self.last_error = f"store failed: {e}"
            log.exception("could not store a batch of %d message(s)", len(batch))
            return
        for item, outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, Exception):  # not acknowledged: the broker delivers it again
                self.last_error = f"store failed: {outcome}"
                log.error("could not store message on %s: %r", item.topic, outcome)
                continue
            if item.qos > 0:
                self.client.ack(item.mid, item.qos)
            if isinstance(outcome, Stored):
                self.stored += 1
                if outcome.verdict is not None:
                    self.client.publish(verdict_topic(outcome.device_id),
                                        json.dumps(verdict_payload(outcome.verdict)), qos=1)

    def _publish_control(self, db: sqlite_utils.Database) -> None:
        """Publish desired configs and commands the panel queued; mark them on PUBACK."""
        while True:
            try:
                mid = self._control_acks.get_nowait()
            except queue.Empty:
                break
            entry = self._control_pending.pop(mid, None)
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
            info = self.client.publish(config_topic(row["device_id"]), msg.to_json(), qos=1,
                                       retain=True)
            self._control_pending[info.mid] = key
        now = now_iso()
        for row in db.query("select command_id, device_id, action, expires_at, issued_by "
                            "from device_commands where sent_at is null and expires_at > ?", [now]):
            key = ("device_commands", row["command_id"])
            if key in waiting:
                continue
            msg = Command(msg_id=new_id(), device_id=row["device_id"], sent_at=now,
                          command_id=row["command_id"], action=row["action"],
                          expires_at=row["expires_at"], issued_by=row["issued_by"] or "")
            info = self.client.publish(command_topic(row["device_id"]), msg.to_json(), qos=1,
                                       retain=False)
            self._control_pending[info.mid] = key
