"""Fault tests: whatever fails between scanner and index, every scanned page arrives exactly once.

Each test runs real parts on loopback only — Mosquitto with the project's config, the kiosk
agent as a subprocess fed through its hot folder, the hub ingester — injects one fault
mid-batch, and ends with :func:`assert_every_page_exactly_once`. Every wait is bounded.
"""
from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import threading
import time

import paho.mqtt.client as mqtt
import pytest

from edge.fingerprint import fingerprint
from edge.wire import DocumentMessage, PageImageMessage, PageInfo, new_id, now_iso, topic
from tests.conftest import PASSWORDS, wait_for
from tests.faults.harness import (
    AgentProcess,
    assert_every_page_exactly_once,
    drop_batches,
    index_counts,
    start_ingester,
    wait_indexed,
    wait_outbox_empty,
    write_edge_toml,
)

pytestmark = pytest.mark.slow

PAGES = 2
TIMEOUT_S = 120.0


@pytest.fixture
def kiosk(tmp_path, broker):
    """A hot folder, an edge config and an agent process for device k01 (stopped at the end)."""
    hot = tmp_path / "scan-in"
    hot.mkdir()
    cfg = write_edge_toml(tmp_path / "edge.toml", broker=broker, data_dir=tmp_path / "edge",
                          hotfolder=hot)
    agent = AgentProcess(cfg, tmp_path / "agent.log")
    agent.hot = hot  # type: ignore[attr-defined]
    agent.spool = tmp_path / "edge" / "spool.db"  # type: ignore[attr-defined]
    yield agent
    agent.stop()


@pytest.fixture
def hub(tmp_path, broker):
    holder = {"ing": start_ingester(broker, tmp_path / "index.db")}
    yield holder
    if holder["ing"] is not None:
        holder["ing"].stop()


def _warm_then_feed(db, kiosk, count: int = 29) -> list[str]:
    """One batch through end to end (kernels compiled on both sides), then a run of ``count``
    more; returns once the first of those is in the index, so the fault lands mid-run."""
    batches = drop_batches(kiosk.hot, 0, 1, pages=PAGES)
    wait_indexed(db, docs=1, pages=PAGES, timeout=TIMEOUT_S, agent=kiosk)
    batches += drop_batches(kiosk.hot, 1, count, pages=PAGES)
    wait_indexed(db, docs=2, pages=1, timeout=TIMEOUT_S, agent=kiosk)
    return batches


def test_broker_stopped_and_restarted_mid_batch(tmp_path, broker, hub, kiosk):
    db = tmp_path / "index.db"
    kiosk.start()
    batches = _warm_then_feed(db, kiosk)
    assert index_counts(db)[0] < len(batches), "too fast to interrupt: make the batch bigger"
    broker.stop()
    more = drop_batches(kiosk.hot, len(batches), 2, pages=PAGES)  # scanning goes on while the broker is down
    time.sleep(3)
    broker.start()
    batches += more
    wait_indexed(db, docs=len(batches), pages=len(batches) * PAGES, timeout=TIMEOUT_S, agent=kiosk)
    wait_outbox_empty(kiosk.spool)
    kiosk.stop()
    assert_every_page_exactly_once(db, kiosk.spool, batches=batches, pages_per_batch=PAGES)


def test_agent_sigkilled_mid_batch_and_restarted(tmp_path, broker, hub, kiosk):
    db = tmp_path / "index.db"
    kiosk.start()
    batches = _warm_then_feed(db, kiosk)
    kiosk.kill()
    assert index_counts(db)[0] < len(batches)
    # The will fires when the broker sees the connection drop: offline well within 10 s.
    with sqlite3.connect(db) as c:
        boot = c.execute("select boot_id from devices where device_id = 'k01'").fetchone()[0]
    t0 = time.monotonic()
    wait_for(lambda: _device(db)[0] == "offline", timeout=10, what="kiosk shown offline")
    offline_after = time.monotonic() - t0
    batches += drop_batches(kiosk.hot, len(batches), 2, pages=PAGES)  # paper arriving while it restarts
    kiosk.start()
    wait_indexed(db, docs=len(batches), pages=len(batches) * PAGES, timeout=TIMEOUT_S, agent=kiosk)
    state, new_boot = _device(db)
    assert state == "online" and new_boot != boot
    wait_outbox_empty(kiosk.spool)
    kiosk.stop()
    assert_every_page_exactly_once(db, kiosk.spool, batches=batches, pages_per_batch=PAGES)
    assert offline_after < 10


def test_hub_ingester_down_while_kiosk_scans_then_back(tmp_path, broker, hub, kiosk):
    db = tmp_path / "index.db"
    kiosk.start()
    batches = drop_batches(kiosk.hot, 0, 2, pages=PAGES)
    wait_indexed(db, docs=2, pages=2 * PAGES, timeout=TIMEOUT_S, agent=kiosk)
    hub["ing"].stop()
    hub["ing"] = None
    batches += drop_batches(kiosk.hot, 2, 5, pages=PAGES)
    # The broker takes everything (sent) and queues it for the absent hub session; the kiosk
    # keeps every row until the hub confirms it.
    wait_for(lambda: _spool_all_sent(kiosk.spool, docs=len(batches)), timeout=TIMEOUT_S,
             what="the kiosk's outbox sent to the broker")
    assert index_counts(db)[0] == 2
    hub["ing"] = start_ingester(broker, db)
    wait_indexed(db, docs=len(batches), pages=len(batches) * PAGES, timeout=TIMEOUT_S, agent=kiosk)
    wait_outbox_empty(kiosk.spool)
    kiosk.stop()
    assert_every_page_exactly_once(db, kiosk.spool, batches=batches, pages_per_batch=PAGES)


def test_hub_broker_link_process_sigkilled_mid_batch(tmp_path, broker, hub, kiosk):
    # The hub's MQTT connection lives in a helper process: killed, it is started again, and
    # the broker delivers again what the hub had received but not acknowledged.
    db = tmp_path / "index.db"
    kiosk.start()
    batches = _warm_then_feed(db, kiosk)
    link = hub["ing"]._link
    first = link._proc
    os.kill(first.pid, signal.SIGKILL)
    wait_for(lambda: link._proc is not first and link.connected.is_set(), timeout=30,
             what="the link process restarted and reconnected")
    batches += drop_batches(kiosk.hot, len(batches), 2, pages=PAGES)
    wait_indexed(db, docs=len(batches), pages=len(batches) * PAGES, timeout=TIMEOUT_S, agent=kiosk)
    wait_outbox_empty(kiosk.spool)
    kiosk.stop()
    assert_every_page_exactly_once(db, kiosk.spool, batches=batches, pages_per_batch=PAGES)


def test_same_messages_delivered_twice_change_nothing(tmp_path, broker, hub):
    db = tmp_path / "index.db"
    messages = _document_messages("k01", pages=PAGES)
    client = _client(broker, "k01")
    try:
        for _ in range(2):  # e.g. a re-send after a lost PUBACK
            for name, payload in messages:
                assert _publish(client, name, payload) < 128
        wait_indexed(db, docs=1, pages=PAGES, timeout=30)
        time.sleep(1.0)  # let the second copies through the ingester too
        with sqlite3.connect(db) as c:
            assert c.execute("select count(*) from documents").fetchone()[0] == 1
            assert c.execute("select count(*) from pages").fetchone()[0] == PAGES
            assert c.execute("select count(*) from documents where complete_at is not null"
                             ).fetchone()[0] == 1
            seen = c.execute("select count(*) from messages_seen").fetchone()[0]
        assert seen == len(messages)
    finally:
        client.disconnect()
        client.loop_stop()


def test_device_publishing_under_another_prefix_is_dropped(tmp_path, broker, hub):
    db = tmp_path / "index.db"
    intruder = _client(broker, "k02")
    try:
        for name, payload in _document_messages("k01", pages=1):
            # MQTT 5: the broker's ACL answers PUBACK 135 (not authorized) and drops it.
            assert _publish(intruder, name, payload) == 135
        # Under its own prefix but claiming to be k01: the hub rejects it.
        for _, payload in _document_messages("k01", pages=1):
            assert _publish(intruder, topic("k02", "doc" if b'"kind":"doc"' in payload else "page"),
                            payload) < 128
        wait_for(lambda: _count(db, "rejected_messages") >= 2, timeout=15, what="rejections")
    finally:
        intruder.disconnect()
        intruder.loop_stop()
    assert _count(db, "documents") == 0 and _count(db, "pages") == 0


# -- helpers -----------------------------------------------------------------------------------
def _device(db) -> tuple[str, str]:
    with sqlite3.connect(db, timeout=30) as c:
        row = c.execute("select state, boot_id from devices where device_id = 'k01'").fetchone()
    return (row[0], row[1]) if row else ("", "")


def _count(db, table: str) -> int:
    if not db.exists():
        return 0
    with sqlite3.connect(db, timeout=30) as c:
        try:
            return c.execute(f"select count(*) from {table}").fetchone()[0]
        except sqlite3.OperationalError:
            return 0


def _spool_all_sent(spool, *, docs: int) -> bool:
    with sqlite3.connect(spool, timeout=30) as s:
        made = s.execute("select count(*) from documents").fetchone()[0]
        sent = s.execute("select count(*) from documents where sent_at is not null").fetchone()[0]
        kept = s.execute("select count(*) from outbox where sent_at is not null").fetchone()[0]
    return made >= docs and sent == made and kept > 0


def _document_messages(device: str, *, pages: int) -> list[tuple[str, bytes]]:
    doc_id = new_id()
    text = "Kính gửi Ủy ban nhân dân quận. Tôi đề nghị xem xét việc lấn chiếm vỉa hè. " * 5
    out, infos = [], []
    for i in range(pages):
        image = f"page-{doc_id}-{i}".encode() * 50
        sha = hashlib.sha256(image).hexdigest()
        page = PageImageMessage(msg_id=new_id(), device_id=device, sent_at=now_iso(), doc_id=doc_id,
                                page_id=new_id(), index=i, mime="image/png", width=10, height=10,
                                dpi=150, image_sha256=sha, image=image)
        infos.append(PageInfo(page.page_id, i, sha, 0.0, 90.0, text))
        out.append((topic(device, "page"), page.to_json()))
    doc = DocumentMessage(msg_id=new_id(), device_id=device, sent_at=now_iso(), doc_id=doc_id,
                          batch_id=new_id(), scanned_at=now_iso(), page_count=pages,
                          pages=tuple(infos), fingerprint=fingerprint(text))
    out.append((topic(device, "doc"), doc.to_json()))
    return out


def _client(broker, user: str) -> mqtt.Client:
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"fault-{user}-{new_id()[:6]}",
                    protocol=mqtt.MQTTv5)
    c.username_pw_set(user, PASSWORDS[user])
    c.acks: dict[int, int] = {}  # type: ignore[attr-defined]
    c.cond = threading.Condition()  # type: ignore[attr-defined]

    def on_publish(client, userdata, mid, reason_code, properties):  # noqa: ANN001
        with c.cond:
            c.acks[mid] = reason_code.value
            c.cond.notify_all()

    c.on_publish = on_publish
    c.connect(broker.host, broker.port, keepalive=10)
    c.loop_start()
    return c


def _publish(c: mqtt.Client, name: str, payload: bytes) -> int:
    info = c.publish(name, payload, qos=1)
    with c.cond:
        assert c.cond.wait_for(lambda: info.mid in c.acks, 10), "no PUBACK"
        return c.acks[info.mid]


def test_messages_the_broker_acked_then_lost_in_a_crash_are_sent_again(tmp_path, broker, hub, kiosk):
    # Issue 22: published while the hub was away, PUBACKed by the broker, then the broker was
    # SIGKILLed before its autosave. The kiosk kept the rows (the hub had not confirmed them)
    # and publishes them again once the hub is back and has taken what the broker held.
    db = tmp_path / "index.db"
    kiosk.start()
    batches = drop_batches(kiosk.hot, 0, 1, pages=PAGES)
    wait_indexed(db, docs=1, pages=PAGES, timeout=TIMEOUT_S, agent=kiosk)
    hub["ing"].stop()
    hub["ing"] = None
    batches += drop_batches(kiosk.hot, 1, 3, pages=PAGES)
    wait_for(lambda: _spool_all_sent(kiosk.spool, docs=len(batches)), timeout=TIMEOUT_S,
             what="the kiosk's outbox sent to the broker")
    broker.kill()  # only in the broker's memory: gone
    broker.start()
    hub["ing"] = start_ingester(broker, db)
    wait_indexed(db, docs=len(batches), pages=len(batches) * PAGES, timeout=TIMEOUT_S, agent=kiosk)
    wait_outbox_empty(kiosk.spool)
    kiosk.stop()
    assert_every_page_exactly_once(db, kiosk.spool, batches=batches, pages_per_batch=PAGES)
    assert "message(s) again" in kiosk.tail()
