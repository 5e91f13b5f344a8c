"""MQTT uplink (paho-mqtt 2.x, MQTT 5): drains the spool's outbox, publishes status and metrics.

paho keeps unacknowledged QoS 1 messages in memory only, and ``publish()`` returning
is not delivery. Nor is the broker's PUBACK: it means "in Mosquitto's memory", which a
broker crash before its next save loses. So the broker's PUBACK (``on_publish``) only
makes a row *sent*; the row leaves the outbox when the hub, after its commit, lists the
message on ``hub/<device>/ack`` (*delivered*). A sent row the hub has not confirmed is
published again after a timeout that doubles with each try, and at every reconnect; the
hub is idempotent on ``msg_id``, so a copy changes nothing. ``on_publish`` runs under
paho's own lock, so it only queues the mid; the sender thread does the database work.
"""
from __future__ import annotations

import json
import logging
import queue
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from edge.exceptions import AuthError, UplinkError
from edge.outbox.spool import Spool
from edge.wire import (
    Command,
    CommandResult,
    DesiredConfig,
    HubAck,
    MetricsMessage,
    StatusMessage,
    WireError,
    ack_topic,
    command_topic,
    config_topic,
    new_id,
    now_iso,
    parse_ack,
    parse_control,
    topic,
    verdict_topic,
)

log = logging.getLogger(__name__)
_M = TypeVar("_M", bound=HubAck | DesiredConfig | Command)  # a message the hub sends us

# A QoS 1 message without PUBACK for this long is published again (paho retries on reconnect,
# but a message the broker refused or lost would otherwise wait forever).
STALE_S = 120.0
# How long a clean stop waits for the 'offline' status to be acknowledged.
STOP_WAIT_S = 3.0
# The broker disconnects a client that sends a packet over its max_packet_size (8 MiB in our
# config) and paho would re-send it forever, blocking the outbox: such rows are held back.
MAX_PAYLOAD = 7 * 1024 * 1024


@dataclass(frozen=True)
class BrokerSettings:
    host: str
    port: int
    username: str
    password: str
    keepalive_s: int = 30
    tls: bool = False
    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    max_inflight: int = 20
    ack_timeout_s: float = 60.0  # first wait for the hub's ack before publishing a row again


def probe(*, settings: BrokerSettings, timeout_s: float = 5.0) -> tuple[bool, str]:
    """Try to connect and authenticate once; return (ok, detail)."""
    result: dict[str, object] = {}
    done = threading.Event()
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"probe-{new_id()[:8]}",
                         protocol=mqtt.MQTTv5)
    _configure_auth(client, settings)

    def on_connect(c, u, flags, reason_code, props):  # noqa: ANN001
        result["rc"] = reason_code
        done.set()

    client.on_connect = on_connect
    try:
        client.connect(settings.host, settings.port, keepalive=10)
    except OSError as e:
        return False, f"cannot reach broker {settings.host}:{settings.port}: {e}"
    client.loop_start()
    try:
        if not done.wait(timeout_s):
            return False, f"broker {settings.host}:{settings.port} did not answer within {timeout_s} s"
        rc = result["rc"]
        if rc.is_failure:  # type: ignore[union-attr]
            return False, f"broker refused the connection: {rc}"
        return True, f"connected to {settings.host}:{settings.port} as {settings.username}"
    finally:
        client.disconnect()
        client.loop_stop()


def _configure_auth(client: mqtt.Client, s: BrokerSettings) -> None:
    if s.username:
        client.username_pw_set(s.username, s.password or None)
    if s.tls:
        client.tls_set(ca_certs=s.ca_file, certfile=s.cert_file, keyfile=s.key_file,
                       cert_reqs=ssl.CERT_REQUIRED)


class Uplink:
    """One device's connection: outbox sender, retained status with last will, metrics, verdicts."""

    def __init__(self, *, device_id: str, settings: BrokerSettings, spool: Spool, boot_id: str,
                 on_verdict: Callable[[dict], None] | None = None,
                 on_control: Callable[[DesiredConfig | Command], None] | None = None,
                 config_version: int = 0) -> None:
        self.device_id = device_id
        self.settings = settings
        self.spool = spool
        self.boot_id = boot_id
        self.on_verdict = on_verdict
        self.on_control = on_control
        self.config_version = config_version  # reported in the retained status
        # What the kiosk runs and the last update's state, in every status: set by the agent
        # (edge.inventory for its OCR language), so start-up reads the software once.
        self.software: dict = {}
        self.last_error = ""
        self._connected = threading.Event()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._acks: queue.SimpleQueue[tuple[int, int]] = queue.SimpleQueue()
        self._inbox: queue.SimpleQueue[tuple[str, bytes]] = queue.SimpleQueue()
        self._inflight: dict[int, tuple[int, float]] = {}  # mid -> (seq, sent at)
        self._held: set[int] = set()  # seqs too large to send; they stay in the outbox
        self._reconnected = threading.Event()  # the sender makes unconfirmed rows due again
        self.resent = 0  # rows published again (after a timeout or a reconnect)
        self._publish_lock = threading.Lock()
        self._thread: threading.Thread | None = None

        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=device_id,
                                  protocol=mqtt.MQTTv5)
        _configure_auth(self.client, settings)
        self.client.max_inflight_messages_set(settings.max_inflight)
        self.client.reconnect_delay_set(min_delay=1, max_delay=30)
        self.client.will_set(topic(device_id, "status"), self._status("offline"), qos=1, retain=True)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_publish = self._on_publish
        self.client.on_message = self._on_message

    # -- paho callbacks (paho's thread; keep them short) -------------------------------------
    def _on_connect(self, client, userdata, flags, reason_code, properties):  # noqa: ANN001
        if reason_code.is_failure:
            err = AuthError if reason_code.value in (134, 135) else UplinkError
            self.last_error = str(err(f"broker refused the connection: {reason_code}"))
            log.error("broker refused connection for device %s: %s", self.device_id, reason_code)
            return
        log.info("connected to broker %s:%s", self.settings.host, self.settings.port)
        self.last_error = ""
        client.publish(topic(self.device_id, "status"), self._status("online"), qos=1, retain=True)
        # The desired config is retained: the broker hands over the current one right away.
        client.subscribe([(verdict_topic(self.device_id), 1), (config_topic(self.device_id), 1),
                          (command_topic(self.device_id), 1), (ack_topic(self.device_id), 1)])
        self._reconnected.set()
        self._connected.set()
        self._wake.set()

    def _on_disconnect(self, client, userdata, flags, reason_code, properties):  # noqa: ANN001
        if self._connected.is_set():
            log.warning("disconnected from broker: %s", reason_code)
        self._connected.clear()

    def _on_publish(self, client, userdata, mid, reason_code, properties):  # noqa: ANN001
        self._acks.put((mid, reason_code.value if hasattr(reason_code, "value") else int(reason_code)))
        self._wake.set()

    def _on_message(self, client, userdata, msg):  # noqa: ANN001
        self._inbox.put((msg.topic, msg.payload))
        self._wake.set()

    # -- life cycle --------------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        """True while the broker connection is up."""
        return self._connected.is_set()

    def start(self, *, spawn: Callable[[str, Callable[[], None]], None] | None = None) -> None:
        """Connect in the background and start draining the outbox (in a thread ``spawn``
        starts, e.g. a supervisor's; a plain thread without it)."""
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = 24 * 3600
        self.client.connect_async(self.settings.host, self.settings.port,
                                  keepalive=self.settings.keepalive_s, clean_start=False,
                                  properties=props)
        self.client.loop_start()
        if spawn is not None:
            spawn("uplink-sender", self._run)
            return
        self._thread = threading.Thread(target=self._run, name="uplink-sender", daemon=True)
        self._thread.start()

    def stop_sender(self) -> None:
        """Ask the sender thread to end (before :meth:`stop`, when a supervisor runs it)."""
        self._stop.set()
        self._wake.set()

    def stop(self) -> None:
        """Say 'offline' (retained), disconnect cleanly, stop the threads."""
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout=5)
        if self.connected:
            info = self.client.publish(topic(self.device_id, "status"), self._status("offline"),
                                       qos=1, retain=True)
            deadline = time.monotonic() + STOP_WAIT_S
            while time.monotonic() < deadline and not info.is_published():
                time.sleep(0.05)
        self.client.disconnect()
        self.client.loop_stop()

    def wait_connected(self, timeout_s: float) -> bool:
        """Block until connected or the timeout passes."""
        return self._connected.wait(timeout_s)

    def publish_metrics(self, metrics: MetricsMessage) -> None:
        """Send metrics now if connected (they are not queued: a newer sample replaces them)."""
        if self.connected:
            self.client.publish(topic(self.device_id, "metrics"), metrics.to_json(), qos=0)

    def publish_status(self) -> None:
        """Publish the retained 'online' status again (after the applied config version changed)."""
        if self.connected:
            self.client.publish(topic(self.device_id, "status"), self._status("online"), qos=1,
                                retain=True)

    def publish_result(self, result: CommandResult) -> None:
        """Answer a command (best effort: a kiosk that is offline cannot have received one)."""
        if self.connected:
            self.client.publish(topic(self.device_id, "cmdack"), result.to_json(), qos=1)

    def resend_all(self) -> int:
        """Forget what is in flight so every outbox row is published again now; return how many."""
        self._inflight.clear()
        self._held.clear()
        self._wake.set()
        return int(self.spool.stats()["outbox_depth"])

    def _status(self, state: str) -> bytes:
        return StatusMessage(msg_id=new_id(), device_id=self.device_id, sent_at=now_iso(),
                             state=state, boot_id=self.boot_id,
                             config_version=self.config_version,
                             software=self.software).to_json()

    # -- sender thread -----------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(0.5)
            self._wake.clear()
            try:
                self._drain_acks()
                self._drain_inbox()
                if self._reconnected.is_set():
                    # A broker that restarted may have lost what it acknowledged: whatever
                    # the hub has not confirmed goes out again now.
                    self._reconnected.clear()
                    due = self.spool.resend_unconfirmed()
                    if due:
                        log.info("connected: %d message(s) not yet confirmed by the hub are "
                                 "published again", due)
                if self.connected:
                    self._send_pending()
            except Exception as e:  # keep the sender alive; the rows stay in the outbox
                self.last_error = f"uplink: {e}"
                log.exception("uplink sender error")
                time.sleep(1)

    def _drain_acks(self) -> None:
        acked: list[int] = []
        while True:
            try:
                mid, rc = self._acks.get_nowait()
            except queue.Empty:
                break
            entry = self._inflight.pop(mid, None)
            if entry is None:
                continue  # status publishes and stale re-sends
            if rc >= 128:
                self.last_error = f"broker refused message (reason {rc})"
                log.error("broker refused outbox message seq=%s reason=%s", entry[0], rc)
                continue  # stays in the outbox; re-sent after STALE_S
            acked.append(entry[0])
        self.spool.acknowledge(acked, resend_after_s=self.settings.ack_timeout_s)

    def _drain_inbox(self) -> None:
        while True:
            try:
                name, payload = self._inbox.get_nowait()
            except queue.Empty:
                return
            if name == ack_topic(self.device_id):
                self._hub_ack(payload)
                continue
            if name != verdict_topic(self.device_id):
                self._control(payload)
                continue
            try:
                verdict = json.loads(payload.decode("utf-8"))
                if not isinstance(verdict, dict) or "doc_id" not in verdict:
                    raise ValueError("no doc_id")
            except (ValueError, UnicodeDecodeError) as e:
                log.warning("ignored malformed verdict: %s", e)
                continue
            self.spool.set_verdict(str(verdict["doc_id"]), verdict)
            if self.on_verdict:
                self.on_verdict(verdict)

    def _addressed(self, parse: Callable[[bytes], _M], payload: bytes, what: str) -> _M | None:
        """The hub message in ``payload`` if it parses and is addressed to us; else None."""
        try:
            msg = parse(payload)
        except WireError as e:
            log.warning("ignored malformed %s: %s", what, e)
            return None
        if msg.device_id != self.device_id:
            log.warning("ignored %s addressed to %s", what, msg.device_id)
            return None
        return msg

    def _hub_ack(self, payload: bytes) -> None:
        ack = self._addressed(parse_ack, payload, "hub ack")
        if ack is None:
            return
        if ack.rejected:
            log.error("the hub kept %d of our message(s) aside as malformed: %s",
                      len(ack.rejected), ", ".join(ack.rejected[:5]))
        self.spool.confirm([*ack.msg_ids, *ack.rejected])
        if ack.resend:
            due = self.spool.resend_unconfirmed()
            if due:
                log.info("the hub is back and has what the broker held: %d message(s) it has "
                         "not confirmed are published again", due)

    def _control(self, payload: bytes) -> None:
        if not payload:
            return  # a cleared retained config
        msg = self._addressed(parse_control, payload, "config/command")
        if msg is None:
            return
        if self.on_control:
            self.on_control(msg)

    def _send_pending(self) -> None:
        now = time.monotonic()
        for mid, (_seq, sent) in list(self._inflight.items()):
            if now - sent > STALE_S:
                del self._inflight[mid]
        room = self.settings.max_inflight - len(self._inflight)
        if room <= 0:
            return
        busy = {seq for seq, _ in self._inflight.values()} | self._held
        again = 0
        for row in self.spool.pending(exclude=busy, limit=room):
            if len(row.payload) > MAX_PAYLOAD:
                self._held.add(row.seq)
                self.last_error = f"message seq={row.seq} is too large for the broker"
                log.error("outbox message seq=%s is %d bytes, over the %d limit; kept, not sent",
                          row.seq, len(row.payload), MAX_PAYLOAD)
                continue
            with self._publish_lock:
                info = self.client.publish(row.topic, row.payload, qos=row.qos, retain=row.retain)
                if info.rc not in (mqtt.MQTT_ERR_SUCCESS, mqtt.MQTT_ERR_NO_CONN):
                    log.error("publish of seq=%s failed: %s", row.seq, mqtt.error_string(info.rc))
                    continue
                self._inflight[info.mid] = (row.seq, time.monotonic())
            if row.attempts:
                again += 1
                log.debug("outbox message seq=%s published again (try %d)", row.seq, row.attempts + 1)
            self.spool.mark_sent(row.seq)
        if again:
            self.resent += again
            log.info("published %d message(s) again: the hub had not confirmed them", again)
