"""The hub's end-to-end ack: published after the commit, listing what it committed, again for copies."""
from __future__ import annotations

import json
import sqlite3
import threading

import pytest

from edge.wire import MetricsMessage, new_id, now_iso, parse_ack, topic
from tests.conftest import wait_for
from tests.faults.harness import start_ingester
from tests.faults.test_store_and_forward import _client, _document_messages, _publish

pytestmark = pytest.mark.slow


def test_the_hub_acks_only_what_is_committed_and_acks_a_copy_again(tmp_path, broker):
    db = tmp_path / "index.db"
    ing = start_ingester(broker, db)
    kiosk = _client(broker, "k01")
    acks: list[tuple[tuple[str, ...], set[str]]] = []  # (ids acked, ids committed on arrival)
    lock = threading.Lock()

    def on_message(client, userdata, msg):  # noqa: ANN001
        ack = parse_ack(msg.payload)
        with sqlite3.connect(db, timeout=30) as c:  # what a reader sees when the ack arrives
            seen = {r[0] for r in c.execute("select msg_id from messages_seen")}
        with lock:
            acks.append((ack.msg_ids, seen))

    kiosk.on_message = on_message
    kiosk.subscribe("hub/k01/ack", qos=1)
    try:
        messages = _document_messages("k01", pages=2)
        ids = [json.loads(p)["msg_id"] for _, p in messages]
        for name, payload in messages:
            assert _publish(kiosk, name, payload) < 128
        wait_for(lambda: {i for a, _ in acks for i in a} >= set(ids), timeout=30, what="acks")
        with lock:
            assert all(set(a) <= seen for a, seen in acks), "an ack came before its commit"
            count = len(acks)
        assert count <= len(messages)  # at most one per batch
        _publish(kiosk, *messages[-1])  # a re-send of the document: acked again, stored once
        wait_for(lambda: any(a == (ids[-1],) for a, _ in acks[count:]), timeout=30,
                 what="the copy acked")
        metrics = MetricsMessage(msg_id=new_id(), device_id="k01", sent_at=now_iso(), uptime_s=1,
                                 outbox_depth=0, pages_today=2, ocr_backlog=0, scanner_state="ready",
                                 outbox_sent=5, outbox_delivered=4, oldest_undelivered_s=12.5)
        assert _publish(kiosk, topic("k01", "metrics"), metrics.to_json()) < 128

        def stored() -> tuple | None:
            with sqlite3.connect(db, timeout=30) as c:
                return c.execute("select outbox_sent, outbox_delivered, oldest_undelivered_s from "
                                 "devices where device_id = 'k01' and outbox_sent is not null").fetchone()

        assert wait_for(stored, timeout=30, what="metrics stored") == (5, 4, 12.5)
        with sqlite3.connect(db) as c:
            assert c.execute("select count(*) from documents").fetchone()[0] == 1
    finally:
        kiosk.disconnect()
        kiosk.loop_stop()
        ing.stop()
