from __future__ import annotations

import pytest

from edge.fingerprint import fingerprint
from edge.wire import (
    DocumentMessage,
    PageImageMessage,
    PageInfo,
    StatusMessage,
    WireError,
    from_json,
    new_id,
    now_iso,
    parse_topic,
    topic,
)


def _doc() -> DocumentMessage:
    text = "Kính gửi Ủy ban nhân dân phường Hoàn Kiếm"
    return DocumentMessage(
        msg_id=new_id(), device_id="k01", sent_at=now_iso(), doc_id=new_id(), batch_id=new_id(),
        scanned_at=now_iso(), page_count=1,
        pages=(PageInfo(page_id="p1", index=0, image_sha256="ab" * 32, skew_degrees=1.5,
                        ocr_confidence=91.0, text=text, flags=("low_confidence",)),),
        fingerprint=fingerprint(text), identity_keys=("cccd:001085012345",), meta={"source": "x"},
    )


def test_document_round_trip_keeps_every_field():
    doc = _doc()
    assert from_json(doc.to_json(), kind="doc") == doc
    assert doc.text.startswith("Kính gửi")


def test_page_image_round_trip_carries_bytes():
    msg = PageImageMessage(msg_id="m", device_id="k01", sent_at=now_iso(), doc_id="d", page_id="p",
                           index=0, mime="image/jpeg", width=10, height=20, dpi=300,
                           image_sha256="x", image=b"\xff\xd8\x00binary")
    assert from_json(msg.to_json()).image == b"\xff\xd8\x00binary"


@pytest.mark.parametrize("payload", [
    b"\xff\xfe not utf-8", b"[1,2]", b'{"schema": 99, "kind": "doc"}',
    b'{"schema": 1, "kind": "nope", "msg_id": "m", "device_id": "k01"}',
    b'{"schema": 1, "kind": "doc", "msg_id": "m", "device_id": "k01"}',
    b'{"schema": 1, "kind": "status", "msg_id": "m", "device_id": "k01", "sent_at": "t", "state": "zombie", "boot_id": "b"}',
])
def test_malformed_messages_raise_wire_error(payload):
    with pytest.raises(WireError):
        from_json(payload)


def test_kind_must_match_topic():
    status = StatusMessage(msg_id="m", device_id="k01", sent_at="t", state="online", boot_id="b")
    with pytest.raises(WireError):
        from_json(status.to_json(), kind="doc")


def test_topics():
    assert topic("k01", "doc") == "kiosk/k01/doc"
    assert parse_topic("kiosk/k01/page") == ("k01", "page")
    for bad in ("kiosk/k01", "kiosk/K 01/doc", "other/k01/doc", "kiosk/k01/secret"):
        with pytest.raises(WireError):
            parse_topic(bad)
