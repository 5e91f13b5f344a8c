"""What the attack tests share: an MQTT client with a kiosk's (or the hub's) real broker
credentials, kiosk documents, and the real hub ingester against the fixtures' Mosquitto."""
from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator

import paho.mqtt.client as mqtt
import pytest

from edge.fingerprint import fingerprint
from edge.wire import DocumentMessage, PageImageMessage, PageInfo, new_id, now_iso
from hub.config import MqttConfig
from hub.index import open_index
from hub.ingest.subscriber import Ingester
from tests.conftest import PASSWORDS

LETTER = ("Kính gửi: Ủy ban nhân dân phường Hàng Bạc. Tôi tên là Trần Thị Hoa, số CCCD 001190023456, "
          "trú tại số 5 phố Hàng Bạc. Tôi đề nghị xem xét việc lấn chiếm vỉa hè trước nhà số {n}. ") * 3


class Client:
    """A paho client logged in as ``user``; ``publish`` waits for the broker's PUBACK."""

    def __init__(self, broker, user: str, *, password: str | None = None, client_id: str | None = None,  # noqa: ANN001
                 on_message=None, port: int | None = None, tls: tuple[str, str, str] | None = None) -> None:  # noqa: ANN001
        self.acks: dict[int, int] = {}
        self.cond = threading.Condition()
        self.connects = 0
        self.disconnects = 0
        self.c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id or f"{user}-{new_id()[:6]}",
                             protocol=mqtt.MQTTv5)
        if user:
            self.c.username_pw_set(user, PASSWORDS.get(user, "") if password is None else password)
        if tls is not None:  # (ca, cert, key): the identity is the certificate's CN
            self.c.tls_set(ca_certs=tls[0], certfile=tls[1], keyfile=tls[2])
        self.c.max_inflight_messages_set(100)
        self.c.on_publish = self._on_publish
        self.c.on_connect = self._on_connect
        self.c.on_disconnect = self._on_disconnect
        if on_message is not None:
            self.c.on_message = on_message
        self.c.connect(broker.host, port or broker.port, keepalive=10)
        self.c.loop_start()

    def _on_publish(self, client, userdata, mid, reason_code, properties):  # noqa: ANN001
        with self.cond:
            self.acks[mid] = reason_code.value
            self.cond.notify_all()

    def _on_connect(self, client, userdata, flags, reason_code, properties):  # noqa: ANN001
        with self.cond:
            self.connects += 1 if not reason_code.is_failure else 0
            self.cond.notify_all()

    def _on_disconnect(self, client, userdata, flags, reason_code, properties):  # noqa: ANN001
        with self.cond:
            self.disconnects += 1
            self.cond.notify_all()

    def wait_connected(self, timeout: float = 10) -> bool:
        with self.cond:
            return self.cond.wait_for(lambda: self.connects > 0, timeout)

    def publish(self, topic: str, payload: bytes, *, wait: bool = True) -> int:
        info = self.c.publish(topic, payload, qos=1)
        if not wait:
            return info.mid
        with self.cond:
            assert self.cond.wait_for(lambda: info.mid in self.acks, 30), "no PUBACK"
        return info.mid

    def wait_acks(self, mids: list[int], timeout: float = 60) -> None:
        with self.cond:
            assert self.cond.wait_for(lambda: all(m in self.acks for m in mids), timeout), "no PUBACK"

    def close(self) -> None:
        self.c.disconnect()
        self.c.loop_stop()


def kiosk_document(device: str, text: str, *, doc_id: str | None = None,
                   page_id: str | None = None) -> tuple[DocumentMessage, PageImageMessage]:
    """A one-page document as a kiosk sends it: the page image, then the document."""
    doc_id, page_id = doc_id or new_id(), page_id or new_id()
    image = f"page image of {doc_id}".encode()
    sha = hashlib.sha256(image).hexdigest()
    page = PageImageMessage(msg_id=new_id(), device_id=device, sent_at=now_iso(), doc_id=doc_id,
                            page_id=page_id, index=0, mime="image/png", width=10, height=10, dpi=300,
                            image_sha256=sha, image=image, pdf=b"%PDF-1.4 " + doc_id.encode())
    doc = DocumentMessage(msg_id=new_id(), device_id=device, sent_at=now_iso(), doc_id=doc_id,
                          batch_id=new_id(), scanned_at=now_iso(), page_count=1,
                          pages=(PageInfo(page_id, 0, sha, 0.5, 91.0, text),), fingerprint=fingerprint(text))
    return doc, page


@pytest.fixture
def ingester(broker, tmp_path) -> Iterator[Ingester]:  # noqa: ANN001
    """The real hub ingester on the fixtures' broker, its index at ``tmp_path/index.db``."""
    open_index(tmp_path / "index.db").conn.close()
    ing = Ingester(db_path=tmp_path / "index.db", mqtt_cfg=MqttConfig(
        host="127.0.0.1", port=broker.port, username="hub", password=PASSWORDS["hub"],
        client_id="hub-ingest"))
    ing.start()
    assert ing.connected.wait(20), "the ingester did not connect"
    yield ing
    ing.stop()
