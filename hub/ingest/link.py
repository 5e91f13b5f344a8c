"""The hub's broker connection, in a process of its own (paho-mqtt 2.x, MQTT 5).

The ingester's writer is one thread (SQLite has one writer); a paho network thread in the
same interpreter would take a share of its time (reading half-megabyte-a-second of page
images, packet by packet), and so would reading each message. Here the MQTT client runs in
a helper process that also reads every message (``read.parse``: JSON, image hash, a
document's search form and shingles) and hands the results over a pipe; the writer sends
back the acknowledgements of what it committed and what it wants published.

Persistent session (``clean_start=False`` with a long expiry): the broker queues what kiosks
send while the hub is away, and redelivers (same packet ids) whatever was not acknowledged
when a connection, or this process, ends. The process is restarted if it dies.
"""
from __future__ import annotations

import logging
import multiprocessing
import queue
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from edge.wire import TOPIC_ROOT
from hub.config import MqttConfig
from hub.ingest.read import Parsed, parse, warm_up

log = logging.getLogger(__name__)

SUBSCRIPTIONS = [(f"{TOPIC_ROOT}/+/{kind}", 1)
                 for kind in ("doc", "page", "status", "metrics", "cmdack")]
SESSION_EXPIRY_S = 7 * 24 * 3600
# Read messages are sent to the writer in chunks: the first waits this long for company.
GATHER_S = 0.005
CHUNK = 200
RESTART_DELAY_S = 1.0


@dataclass(frozen=True)
class Received:
    """One message from the broker, read; ``mid``/``qos`` acknowledge it."""

    mid: int
    qos: int
    parsed: Parsed


# -- the helper process ------------------------------------------------------------------------
def _client(cfg: MqttConfig) -> mqtt.Client:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=cfg.client_id, protocol=mqtt.MQTTv5,
                         manual_ack=True)
    if cfg.username:
        client.username_pw_set(cfg.username, cfg.password or None)
    if cfg.tls:
        client.tls_set(ca_certs=str(cfg.ca_file) if cfg.ca_file else None,
                       certfile=str(cfg.cert_file) if cfg.cert_file else None,
                       keyfile=str(cfg.key_file) if cfg.key_file else None, cert_reqs=ssl.CERT_REQUIRED)
    client.reconnect_delay_set(min_delay=1, max_delay=30)
    return client


def _serve(cfg: MqttConfig, conn) -> None:  # noqa: ANN001 — a multiprocessing Connection
    """Helper process: hold the broker connection, read messages, obey the writer."""
    send_lock = threading.Lock()
    inbox: queue.SimpleQueue[Received] = queue.SimpleQueue()
    acked: queue.SimpleQueue[int] = queue.SimpleQueue()  # mids of our publishes the broker has
    stop = threading.Event()

    def send(item: tuple) -> None:
        with send_lock:
            conn.send(item)

    def on_connect(client, userdata, flags, reason_code, properties):  # noqa: ANN001
        if reason_code.is_failure:
            send(("state", False, f"broker refused the hub: {reason_code}"))
            return
        client.subscribe(SUBSCRIPTIONS)
        send(("state", True, ""))

    def on_disconnect(client, userdata, flags, reason_code, properties):  # noqa: ANN001
        if not stop.is_set():
            send(("state", False, f"disconnected: {reason_code}"))

    def on_message(client, userdata, msg):  # noqa: ANN001
        try:
            parsed = parse(msg.topic, msg.payload)
        except Exception as e:  # noqa: BLE001 — a reading bug keeps the message aside, with why
            parsed = Parsed(msg.topic, error=f"could not be read: {e!r}"[:300], payload=msg.payload)
        inbox.put(Received(msg.mid, msg.qos, parsed))

    def on_publish(client, userdata, mid, reason_code, properties):  # noqa: ANN001
        # paho holds its own lock here: only hand the mid over.
        if not getattr(reason_code, "is_failure", False):
            acked.put(mid)

    def forward() -> None:
        while not stop.is_set():
            try:
                first = inbox.get(timeout=0.5)
            except queue.Empty:
                continue
            chunk, until = [first], time.monotonic() + GATHER_S
            while len(chunk) < CHUNK:
                try:
                    chunk.append(inbox.get(timeout=max(0.0, until - time.monotonic())))
                except queue.Empty:
                    break
            send(("msgs", chunk))

    warm_up()  # before the broker hands over a backlog
    client = _client(cfg)
    client.on_connect, client.on_disconnect = on_connect, on_disconnect
    client.on_message, client.on_publish = on_message, on_publish
    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = SESSION_EXPIRY_S
    try:
        client.connect_async(cfg.host, cfg.port, keepalive=cfg.keepalive_s, clean_start=False,
                             properties=props)
    except (OSError, ValueError) as e:
        send(("fatal", f"cannot connect to {cfg.host}:{cfg.port}: {e}"))
        return
    threading.Thread(target=forward, name="hub-link-forward", daemon=True).start()
    client.loop_start()
    tokens: dict[int, int] = {}  # mid of a publish -> the writer's token
    try:
        while True:
            # Short waits only while a publish awaits its PUBACK (handed over by on_publish).
            if conn.poll(0.05 if tokens else 1.0):
                order = conn.recv()
                if order[0] == "stop":
                    break
                if order[0] == "ack":
                    for mid, qos in order[1]:
                        client.ack(mid, qos)
                elif order[0] == "pub":
                    for token, topic, payload, qos, retain in order[1]:
                        info = client.publish(topic, payload, qos=qos, retain=retain)
                        if token is not None:
                            tokens[info.mid] = token
            done = []
            while True:
                try:
                    mid = acked.get_nowait()
                except queue.Empty:
                    break
                if mid in tokens:
                    done.append(tokens.pop(mid))
            if done:
                send(("puback", done))
    except (EOFError, OSError):  # the ingester has gone: stop too
        pass
    finally:
        stop.set()
        client.disconnect()
        client.loop_stop()


# -- the ingester's side -----------------------------------------------------------------------
class BrokerLink:
    """The ingester's handle on the helper process: what it receives, and what it sends back.

    ``on_messages(list[Received])`` and ``on_puback(token)`` are called from one thread of the
    link, in order; ``on_restart()`` when the process had to be started again (publishes it had
    not confirmed are lost with it). ``connected`` follows the broker connection.
    """

    def __init__(self, cfg: MqttConfig, *, on_messages: Callable[[list[Received]], None],
                 on_puback: Callable[[int], None], on_restart: Callable[[], None] = lambda: None) -> None:
        self.cfg = cfg
        self._on_messages, self._on_puback, self._on_restart = on_messages, on_puback, on_restart
        self.connected = threading.Event()
        self.last_error = ""
        self._stop = threading.Event()
        self._send_lock = threading.Lock()
        self._tokens = 0
        self._proc: multiprocessing.process.BaseProcess | None = None
        self._conn = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._spawn()
        self._thread = threading.Thread(target=self._collect, name="hub-link", daemon=True)
        self._thread.start()

    def _spawn(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_serve, args=(self.cfg, child), name="hub-mqtt", daemon=True)
        proc.start()
        child.close()
        self._proc, self._conn = proc, parent

    def stop(self) -> None:
        """Disconnect from the broker and end the helper process."""
        self._stop.set()
        self._send(("stop",))
        if self._thread:
            self._thread.join(timeout=15)
        if self._proc is not None:
            self._proc.join(timeout=10)
            if self._proc.is_alive():
                self._proc.kill()
        self.connected.clear()

    def _send(self, order: tuple) -> bool:
        with self._send_lock:
            try:
                self._conn.send(order)
                return True
            except (OSError, ValueError, AttributeError):  # the process is gone (restarting)
                return False

    def ack(self, received: list[tuple[int, int]]) -> None:
        """Acknowledge messages (mid, qos) now committed."""
        if received:
            self._send(("ack", received))

    def publish(self, items: list[tuple[str, bytes, int, bool]], *, tokens: bool = False) -> list[int]:
        """Publish (topic, payload, qos, retain) items; with ``tokens``, each gets a number that
        ``on_puback`` reports once the broker has it."""
        out, orders = [], []
        for topic, payload, qos, retain in items:
            token = None
            if tokens:
                self._tokens += 1
                token = self._tokens
                out.append(token)
            orders.append((token, topic, payload, qos, retain))
        if orders and not self._send(("pub", orders)):
            return []
        return out

    def _collect(self) -> None:
        while not self._stop.is_set():
            try:
                item = self._conn.recv()
            except (EOFError, OSError):
                if self._stop.is_set():
                    return
                self.connected.clear()
                self.last_error = "broker link process ended"
                log.error("hub broker link process ended; restarting it in %.0f s", RESTART_DELAY_S)
                time.sleep(RESTART_DELAY_S)
                with self._send_lock:
                    self._spawn()
                self._on_restart()
                continue
            kind = item[0]
            if kind == "msgs":
                self._on_messages(item[1])
            elif kind == "puback":
                for token in item[1]:
                    self._on_puback(token)
            elif kind == "state":
                if item[1]:
                    self.connected.set()
                    self.last_error = ""
                    log.info("hub ingester connected to %s:%s", self.cfg.host, self.cfg.port)
                else:
                    self.connected.clear()
                    self.last_error = item[2]
                    if not self._stop.is_set():
                        log.warning("hub ingester: %s", item[2])
            elif kind == "fatal":
                self.last_error = item[1]
                log.error("%s", item[1])
