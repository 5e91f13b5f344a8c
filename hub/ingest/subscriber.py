"""MQTT subscriber of the hub (paho-mqtt 2.x, MQTT 5): the one place the hub talks to the broker.

Persistent session (``clean_start=False`` with a long expiry) so the broker queues what
kiosks send while the ingester is away. Messages are acknowledged manually, only after
they are committed to the index: a crash between receipt and commit makes the broker
deliver again, and the idempotent handler absorbs the repeat.
"""
from __future__ import annotations

import json
import logging
import queue
import ssl
import threading
from dataclasses import dataclass
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from edge.wire import TOPIC_ROOT, verdict_topic
from hub.config import MqttConfig
from hub.exceptions import BrokerError
from hub.index import open_index
from hub.ingest.handle import Stored, handle_message, verdict_payload

log = logging.getLogger(__name__)

SUBSCRIPTIONS = [(f"{TOPIC_ROOT}/+/{kind}", 1) for kind in ("doc", "page", "status", "metrics")]
SESSION_EXPIRY_S = 7 * 24 * 3600


@dataclass(frozen=True)
class _Incoming:
    topic: str
    payload: bytes
    mid: int
    qos: int


class Ingester:
    """Receives kiosk messages, stores them, acknowledges them, answers with verdicts."""

    def __init__(self, *, db_path: Path, mqtt_cfg: MqttConfig) -> None:
        self.db_path = db_path
        self.cfg = mqtt_cfg
        self._queue: queue.Queue[_Incoming | None] = queue.Queue()
        self._stop = threading.Event()
        self.connected = threading.Event()
        self.last_error = ""
        self.stored = 0
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
        self._worker: threading.Thread | None = None

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
        self._queue.put(_Incoming(msg.topic, msg.payload, msg.mid, msg.qos))

    def start(self) -> None:
        """Connect (retrying in the background) and start the single writer thread."""
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = SESSION_EXPIRY_S
        try:
            self.client.connect_async(self.cfg.host, self.cfg.port, keepalive=self.cfg.keepalive_s,
                                      clean_start=False, properties=props)
        except (OSError, ValueError) as e:
            raise BrokerError(f"cannot connect to {self.cfg.host}:{self.cfg.port}: {e}") from e
        self._worker = threading.Thread(target=self._run, name="hub-ingest", daemon=True)
        self._worker.start()
        self.client.loop_start()

    def stop(self) -> None:
        """Disconnect and let the writer finish what it holds."""
        self._stop.set()
        self.client.disconnect()
        self.client.loop_stop()
        self._queue.put(None)
        if self._worker:
            self._worker.join(timeout=10)

    def _run(self) -> None:
        db = open_index(self.db_path)
        try:
            while True:
                item = self._queue.get()
                if item is None:
                    return
                try:
                    outcome = handle_message(db, item.topic, item.payload)
                except Exception as e:  # not acknowledged: the broker delivers it again
                    self.last_error = f"store failed: {e}"
                    log.exception("could not store message on %s", item.topic)
                    continue
                if item.qos > 0:
                    self.client.ack(item.mid, item.qos)
                if isinstance(outcome, Stored):
                    self.stored += 1
                    if outcome.verdict is not None:
                        self.client.publish(verdict_topic(outcome.device_id),
                                            json.dumps(verdict_payload(outcome.verdict)), qos=1)
        finally:
            db.conn.close()
