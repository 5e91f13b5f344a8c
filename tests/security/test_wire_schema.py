"""Attack 9 at the codec: every field of every kind is checked before it is used.

Before: ``from_json`` built messages from whatever JSON arrived — a string where a number
goes, ``1e308``, NaN, a 10 MB text, unknown fields — and the hub stored it as sent.
"""
from __future__ import annotations

import json
import logging

import pytest

from edge.fingerprint import fingerprint
from edge.wire import (
    MAX_TEXT_BYTES,
    CommandResult,
    DocumentMessage,
    MetricsMessage,
    PageInfo,
    StatusMessage,
    WireError,
    from_json,
    new_id,
    now_iso,
    topic,
)
from hub.index import open_index
from hub.ingest.handle import Rejected, handle_message


def _metrics(**fields) -> bytes:  # noqa: ANN003
    body = json.loads(MetricsMessage(msg_id=new_id(), device_id="k01", sent_at=now_iso(), uptime_s=5,
                                     outbox_depth=0, pages_today=1, ocr_backlog=0,
                                     scanner_state="ready").to_json())
    body.update(fields)
    return json.dumps(body).encode()


def _doc(text: str, **fields) -> bytes:  # noqa: ANN003
    doc = DocumentMessage(msg_id=new_id(), device_id="k01", sent_at=now_iso(), doc_id=new_id(),
                          batch_id=new_id(), scanned_at=now_iso(), page_count=1,
                          pages=(PageInfo(new_id(), 0, "ab" * 32, 0.0, 90.0, text),),
                          fingerprint=fingerprint("x"))
    body = json.loads(doc.to_json())
    body.update(fields)
    return json.dumps(body).encode()


@pytest.mark.parametrize("payload", [
    _metrics(outbox_oldest_s="abc"),
    _metrics(disk_free_mb=1e308),
    _metrics(pages_today=-1),
    _metrics(outbox_depth=True),
    _metrics(uptime_s=float("nan")),
    _metrics(uptime_s=float("inf")),
    _metrics(temperature_c="hot"),
    _metrics(scanner_state="x" * 10_000),
    _metrics(admin=True),
    _metrics(kind="shell"),
    _metrics(msg_id='a"\r\nINFO forged'),
    _metrics(device_id="K 01"),
    b'{"schema":1,"kind":"metrics","x":' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    b'{"schema":1,"kind":"metrics","uptime_s":' + b"9" * 5000 + b"}",
    _doc("chữ " * (MAX_TEXT_BYTES // 4)),
    _doc("x", page_count=2),
    _doc("x", meta={"deep": {"deeper": [1, 2, 3]}}),
    _doc("x", identity_keys="cccd:001190023456"),
    _doc("x", pages=[{"page_id": "p"}]),
    json.dumps({**json.loads(StatusMessage(msg_id="m1", device_id="k01", sent_at="t", state="online",
                                           boot_id="b").to_json()), "config_version": 2**40}).encode(),
    json.dumps({**json.loads(CommandResult(msg_id="m1", device_id="k01", sent_at="t", command_id="c1",
                                           action="restart", ok=True).to_json()), "ok": "yes"}).encode(),
])
def test_hostile_fields_are_refused(payload):  # noqa: ANN001
    with pytest.raises(WireError):
        from_json(payload)


def test_a_real_kiosks_messages_still_pass():
    assert from_json(_metrics()).pages_today == 1
    text = "Kính gửi Ủy ban nhân dân phường. " * 1000  # 33 KB: a long letter
    assert from_json(_doc(text)).text == text
    assert from_json(_metrics(temperature_c=None, disk_free_mb=2_000_000.5)).disk_free_mb == 2_000_000.5


def test_a_metrics_value_out_of_range_is_not_stored(tmp_path, caplog):  # noqa: ANN001
    db = open_index(tmp_path / "index.db")
    assert isinstance(handle_message(db, topic("k01", "metrics"), _metrics(disk_free_mb=1e308)), Rejected)
    assert isinstance(handle_message(db, topic("k01", "metrics"), _metrics(outbox_oldest_s="abc")), Rejected)
    assert db["devices"].count == 0
    # What a kiosk sends never starts a log line of its own.
    with caplog.at_level(logging.WARNING):
        handle_message(db, "kiosk/k01/doc\r\nERROR hub: forged", b"{}")
        handle_message(db, topic("k01", "doc"), _doc("x", doc_id="a\r\nERROR hub: forged"))
    assert caplog.records and all("\n" not in r.getMessage() and "\r" not in r.getMessage()
                                  for r in caplog.records)
