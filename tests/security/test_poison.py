"""Attack 1: one kiosk's poison must not stop every kiosk's ingestion.

Before: a metrics message that parsed but failed while stored (``"outbox_oldest_s": "abc"``)
was neither acknowledged nor kept aside; the issue saw ingestion stop after the broker's
in-flight window (1,000) of them, and a restart redelivered the poison. (Run against the
code before the fix, this test fails at "every poison kept aside": the 1,118 store failures
were never kept aside nor acknowledged.)
"""
from __future__ import annotations

import json
import sqlite3

import pytest

from edge.wire import MetricsMessage, new_id, now_iso, topic
from hub.index import open_index
from hub.ingest import handle
from tests.conftest import wait_for
from tests.security.conftest import LETTER, Client, kiosk_document

WINDOW = 1000  # max_inflight_messages in mosquitto.conf.template


def _metrics(**overrides) -> dict:  # noqa: ANN003
    body = json.loads(MetricsMessage(msg_id=new_id(), device_id="k01", sent_at=now_iso(), uptime_s=5,
                                     outbox_depth=0, pages_today=1, ocr_backlog=0,
                                     scanner_state="ready").to_json())
    body.update(msg_id=new_id(), **overrides)
    return body


def _poison(i: int) -> tuple[str, bytes]:
    """One of the hostile payloads a compromised kiosk k01 can publish, by turn."""
    metrics = topic("k01", "metrics")
    kind = i % 8
    if kind == 0:
        return metrics, json.dumps(_metrics(outbox_oldest_s="abc")).encode()  # wrong type
    if kind == 1:
        return metrics, json.dumps(_metrics(disk_free_mb=1e308)).encode()  # huge number
    if kind == 2:
        return metrics, json.dumps(_metrics(uptime_s=float("nan"))).encode()  # NaN
    if kind == 3:
        return metrics, b'{"schema":1,"kind":"metrics","x":' + b"[" * 50_000 + b"]" * 50_000 + b"}"
    if kind == 4:
        return metrics, json.dumps(_metrics(kind="shell")).encode()  # unknown kind
    if kind == 5:
        return metrics, json.dumps(_metrics(admin=True)).encode()  # extra field
    if kind == 6:
        return topic("k01", "doc"), b'{"schema":1,"kind":"doc","page_count":' + b"9" * 5000 + b"}"
    return topic("k01", "status"), json.dumps({**_metrics(), "kind": "status", "state": ["online"]}).encode()


def _store_poison() -> tuple[str, bytes]:
    """Valid on the wire, but storing it raises (injected at the store seam)."""
    return topic("k01", "metrics"), json.dumps(_metrics(scanner_state="explodes")).encode()


@pytest.mark.slow
def test_poison_beyond_the_inflight_window_does_not_stop_other_kiosks(broker, ingester, tmp_path,
                                                                       monkeypatch):
    real_device = handle._device

    def failing_store(db, msg):  # noqa: ANN001
        if getattr(msg, "scanner_state", "") == "explodes":
            raise ValueError("the store raised on this message")
        return real_device(db, msg)

    monkeypatch.setattr(handle, "_device", failing_store)
    attacker, honest = Client(broker, "k01"), Client(broker, "k02")
    sent = []
    try:
        mids = []
        # More store failures than the in-flight window on their own (before, each one stayed
        # unacknowledged and held a place in it), with every other kind of poison among them.
        for i in range(WINDOW + 100):
            mids.append(attacker.publish(*_store_poison(), wait=False))
            if i % 8 == 0:
                mids.append(attacker.publish(*_poison(i // 8), wait=False))
            if i % 60 == 0:  # a real letter from another kiosk now and then, amid the poison
                doc, page = kiosk_document("k02", LETTER.format(n=i))
                honest.publish(topic("k02", "page"), page.to_json())
                honest.publish(topic("k02", "doc"), doc.to_json())
                sent.append(doc.doc_id)
        attacker.wait_acks(mids)
        db = open_index(tmp_path / "index.db")

        def indexed() -> int:
            return db.execute("select count(*) from documents where device_id = 'k02' "
                              "and complete_at is not null").fetchone()[0]

        wait_for(lambda: indexed() == len(sent), timeout=90, what="every real document indexed")
        # And after the poison: a letter sent now is indexed too (nothing holds the window).
        doc, page = kiosk_document("k02", LETTER.format(n="sau cùng"))
        honest.publish(topic("k02", "page"), page.to_json())
        honest.publish(topic("k02", "doc"), doc.to_json())
        wait_for(lambda: indexed() == len(sent) + 1, timeout=30, what="the last document indexed")
        wait_for(lambda: db.execute("select count(*) from rejected_messages").fetchone()[0] >= len(mids),
                 timeout=60, what="every poison kept aside")
        biggest = db.execute("select max(length(payload)) from rejected_messages").fetchone()[0]
        assert biggest <= handle.REJECTED_PAYLOAD_MAX
        errors = {r[0].split(":")[0] for r in db.execute("select error from rejected_messages")}
        assert "could not be stored" in errors  # the store-seam poison was kept aside too
    finally:
        attacker.close()
        honest.close()
    # A restart redelivers nothing: the poison was acknowledged.
    ingester.stop()
    ingester.__init__(db_path=ingester.db_path, mqtt_cfg=ingester.cfg)
    ingester.start()
    assert ingester.connected.wait(20)
    before = db.execute("select count(*) from rejected_messages").fetchone()[0]
    honest = Client(broker, "k02")
    doc, page = kiosk_document("k02", LETTER.format(n="sau khi khởi động lại"))
    honest.publish(topic("k02", "page"), page.to_json())
    honest.publish(topic("k02", "doc"), doc.to_json())
    honest.close()
    wait_for(lambda: db.execute("select 1 from documents where doc_id = ?", [doc.doc_id]).fetchone(),
             timeout=30, what="a document after the restart")
    assert db.execute("select count(*) from rejected_messages").fetchone()[0] == before


def test_kept_aside_messages_are_bounded(tmp_path, monkeypatch):
    db = open_index(tmp_path / "index.db")
    monkeypatch.setattr(handle, "REJECTED_MAX_ROWS", 50)
    page = b'{"schema":1,"kind":"page","image":"' + b"A" * 2_000_000 + b'"}'
    for _ in range(120):
        assert isinstance(handle.handle_message(db, topic("k01", "page"), page), handle.Rejected)
    rows = db.execute("select count(*), max(length(payload)), sum(length(payload)) "
                      "from rejected_messages").fetchone()
    assert rows[0] == 50 and rows[1] == handle.REJECTED_PAYLOAD_MAX
    assert "2000037 bytes" in db.execute("select error from rejected_messages").fetchone()[0]
    # Older than the retention period: pruned.
    db.execute("update rejected_messages set received_at = '2000-01-01T00:00:00+00:00'")
    monkeypatch.setattr(handle, "_last_prune", [0.0])
    handle.handle_message(db, topic("k01", "page"), b"{}")
    assert db.execute("select count(*) from rejected_messages").fetchone()[0] == 1


def test_a_failing_index_is_not_mistaken_for_poison(tmp_path, monkeypatch):
    db = open_index(tmp_path / "index.db")
    monkeypatch.setattr(handle, "_device",
                        lambda *a: (_ for _ in ()).throw(sqlite3.OperationalError("database is locked")))
    with pytest.raises(sqlite3.OperationalError):
        handle.handle_message(db, topic("k01", "metrics"), json.dumps(_metrics()).encode())
    assert db.execute("select count(*) from rejected_messages").fetchone()[0] == 0
