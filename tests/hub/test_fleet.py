"""Fleet telemetry and control: metrics history, stale wills, completeness by hash, desired
config and commands end to end (real broker, real agent uplink), the panel's kiosk page."""
from __future__ import annotations

import hashlib
import re
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from edge.fingerprint import fingerprint
from edge.wire import (
    DocumentMessage,
    MetricsMessage,
    PageImageMessage,
    PageInfo,
    StatusMessage,
    new_id,
    now_iso,
    topic,
)
from hub.config import MqttConfig
from hub.index import open_index
from hub.ingest.control import ControlError, queue_command, set_desired_config
from hub.ingest.handle import Rejected, Stored, document_complete, handle_batch, handle_message
from hub.ingest.subscriber import Ingester
from hub.panel import create_app
from hub.panel.devices import device_status
from hub.panel.users import create_user
from tests.conftest import PASSWORDS, wait_for

TEXT = "Kính gửi Ủy ban nhân dân phường. Tôi đề nghị xem xét việc xây dựng trái phép. " * 4


def _doc(pages: int = 2):
    doc_id = new_id()
    images = [f"img-{doc_id}-{i}".encode() for i in range(pages)]
    infos = tuple(PageInfo(new_id(), i, hashlib.sha256(im).hexdigest(), 0.0, 90.0, TEXT)
                  for i, im in enumerate(images))
    doc = DocumentMessage(msg_id=new_id(), device_id="k01", sent_at=now_iso(), doc_id=doc_id,
                          batch_id=new_id(), scanned_at=now_iso(), page_count=pages, pages=infos,
                          fingerprint=fingerprint(TEXT))
    page_msgs = [PageImageMessage(msg_id=new_id(), device_id="k01", sent_at=now_iso(), doc_id=doc_id,
                                  page_id=info.page_id, index=info.index, mime="image/png", width=1,
                                  height=1, dpi=150, image_sha256=info.image_sha256, image=im)
                 for info, im in zip(infos, images, strict=True)]
    return doc, page_msgs


def test_document_is_complete_only_when_every_page_image_matches(db):
    doc, pages = _doc(2)
    assert isinstance(handle_message(db, topic("k01", "doc"), doc.to_json()), Stored)
    assert not document_complete(db, doc.doc_id)
    wrong = b"another version of the page"
    bad = PageImageMessage(**{**pages[0].__dict__, "msg_id": new_id(), "image": wrong,
                              "image_sha256": hashlib.sha256(wrong).hexdigest()})
    assert isinstance(handle_message(db, topic("k01", "page"), bad.to_json()), Rejected)
    assert db.execute("select image from pages where page_id = ?", [pages[0].page_id]).fetchone()[0] is None
    handle_message(db, topic("k01", "page"), pages[0].to_json())
    assert not document_complete(db, doc.doc_id)
    handle_message(db, topic("k01", "page"), pages[1].to_json())
    assert document_complete(db, doc.doc_id)


def test_image_first_then_a_document_stating_another_hash(db):
    doc, pages = _doc(1)
    wrong = b"not the page the document describes"
    early = PageImageMessage(**{**pages[0].__dict__, "msg_id": new_id(), "image": wrong,
                                "image_sha256": hashlib.sha256(wrong).hexdigest()})
    handle_message(db, topic("k01", "page"), early.to_json())
    handle_message(db, topic("k01", "doc"), doc.to_json())
    assert not document_complete(db, doc.doc_id)
    assert db["rejected_messages"].count == 1  # the image is kept aside, not lost
    handle_message(db, topic("k01", "page"), pages[0].to_json())
    assert document_complete(db, doc.doc_id)


def test_batch_keeps_aside_a_message_that_fails_and_stores_the_others(db, monkeypatch):
    doc, pages = _doc(1)
    import hub.ingest.handle as handle

    monkeypatch.setattr(handle, "_page_image", lambda *a: (_ for _ in ()).throw(RuntimeError("bug")))
    out = handle_batch(db, [(topic("k01", "doc"), doc.to_json()),
                            (topic("k01", "page"), pages[0].to_json())])
    # The failing message is kept aside and counts as handled (acknowledged): it must not
    # come back forever and hold the broker's in-flight window.
    assert isinstance(out[0], Stored) and isinstance(out[1], Rejected)
    assert db["documents"].count == 1
    row = db.execute("select topic, error from rejected_messages").fetchone()
    assert row[0] == "kiosk/k01/page" and "RuntimeError" in row[1]


def test_batch_is_not_acknowledged_when_the_index_itself_fails(db, monkeypatch):
    doc, pages = _doc(1)
    import hub.ingest.handle as handle

    real = handle._page_image
    monkeypatch.setattr(handle, "_page_image",
                        lambda *a: (_ for _ in ()).throw(sqlite3.OperationalError("disk I/O error")))
    with pytest.raises(sqlite3.OperationalError):
        handle_batch(db, [(topic("k01", "doc"), doc.to_json()), (topic("k01", "page"), pages[0].to_json())])
    monkeypatch.setattr(handle, "_page_image", real)
    # not acknowledged → delivered again → stored now, once
    out = handle_batch(db, [(topic("k01", "doc"), doc.to_json()), (topic("k01", "page"), pages[0].to_json())])
    assert all(isinstance(o, Stored) for o in out)
    assert document_complete(db, doc.doc_id) and db["pages"].count == 1


def test_metrics_are_kept_for_the_chart_and_stale_wills_ignored(db):
    def status(state, boot):
        return StatusMessage(msg_id=new_id(), device_id="k01", sent_at=now_iso(), state=state,
                             boot_id=boot).to_json()

    handle_message(db, topic("k01", "status"), status("online", "boot-1"))
    handle_message(db, topic("k01", "status"), status("online", "boot-2"))  # quick restart
    handle_message(db, topic("k01", "status"), status("offline", "boot-1"))  # late will
    assert db["devices"].get("k01")["state"] == "online"
    handle_message(db, topic("k01", "status"), status("offline", "boot-2"))
    assert db["devices"].get("k01")["state"] == "offline"
    m = MetricsMessage(msg_id=new_id(), device_id="k01", sent_at=now_iso(), uptime_s=5,
                       outbox_depth=3, pages_today=7, ocr_backlog=1, scanner_state="ready",
                       boot_id="boot-3", interval_s=10, outbox_oldest_s=12.5, ocr_ms_per_page=850,
                       temperature_c=47.5, config_version=2)
    handle_message(db, topic("k01", "metrics"), m.to_json())
    row = db["devices"].get("k01")
    assert row["state"] == "online" and row["boot_id"] == "boot-3"  # metrics prove it is alive
    assert (row["interval_s"], row["outbox_oldest_s"], row["temperature_c"], row["config_version"]) == \
        (10, 12.5, 47.5, 2)
    assert db["device_metrics"].count == 1


def test_stale_after_three_missed_intervals():
    now = datetime.now(UTC)
    seen = (now - timedelta(seconds=25)).isoformat(timespec="seconds")
    assert device_status("online", seen, now=now, stale_after_s=90, interval_s=10) == "online"
    seen = (now - timedelta(seconds=31)).isoformat(timespec="seconds")
    assert device_status("online", seen, now=now, stale_after_s=90, interval_s=10) == "lost"
    assert device_status("online", seen, now=now, stale_after_s=90) == "online"


def test_control_rows_are_validated(db):
    assert set_desired_config(db, "k01", {"metrics_interval_s": 5}, set_by="a") == 1
    assert set_desired_config(db, "k01", {"spool_retention_days": 3}, set_by="a") == 2
    with pytest.raises(ControlError):
        set_desired_config(db, "k01", {"rm -rf": 1}, set_by="a")
    with pytest.raises(ControlError):
        queue_command(db, "k01", "format_disk", issued_by="a")


@pytest.mark.slow
def test_desired_config_and_commands_reach_the_kiosk_and_come_back(broker, edge_config, tmp_path):
    from edge.agent import Agent

    db = open_index(tmp_path / "index.db")  # migrated before the ingester opens it too
    ingester = Ingester(db_path=tmp_path / "index.db", mqtt_cfg=MqttConfig(
        host="127.0.0.1", port=broker.port, username="hub", password=PASSWORDS["hub"],
        client_id="hub-fleet"))
    ingester.start()
    agent = Agent(edge_config(broker, scanner={"source": "hotfolder",
                                               "hotfolder": tmp_path / "hot"}))
    (tmp_path / "hot").mkdir()
    agent.start()
    try:
        assert agent.uplink.wait_connected(10)
        version = set_desired_config(db, "k01", {"metrics_interval_s": 2.0, "spool_retention_days": 1},
                                     set_by="tester")
        wait_for(lambda: agent.config_version == version, timeout=15, what="config applied")
        assert agent.metrics_interval_s == 2.0 and agent.retention_s == 86400
        wait_for(lambda: db.execute("select config_version from devices where device_id='k01'"
                                    ).fetchone()[0] == version, timeout=15, what="version reported")
        wait_for(lambda: db.execute("select published_at from device_config").fetchone()[0],
                 timeout=10, what="PUBACK of the retained config recorded")
        command_id = queue_command(db, "k01", "prune_spool", issued_by="tester")
        wait_for(lambda: db.execute("select ok from device_commands where command_id = ?",
                                    [command_id]).fetchone()[0] == 1, timeout=15, what="command answered")
    finally:
        agent.stop()
        ingester.stop()
        db.conn.close()
    # the applied version survives a restart of the kiosk (and the retained copy is not re-applied)
    again = Agent(edge_config(broker, scanner={"source": "hotfolder", "hotfolder": tmp_path / "hot"}))
    assert again.config_version == version and again.metrics_interval_s == 2.0
    again.spool.close()


def test_panel_kiosk_page_shows_chart_and_queues_config(tmp_path):
    path = tmp_path / "index.db"
    db = open_index(path)
    create_user(db, "canbo1", "mat-khau-dung-1", role="admin")
    db["devices"].insert({"device_id": "k01", "state": "online", "last_seen": now_iso(),
                          "interval_s": 10, "config_version": 1})
    now = datetime.now(UTC)
    for i in range(5):
        db["documents"].insert({"doc_id": f"d{i}", "source": "kiosk", "device_id": "k01",
                                "received_at": (now - timedelta(hours=i % 2)).isoformat(timespec="seconds"),
                                "page_count": 1, "text": "x", "text_fold": "x"})
    db.conn.close()
    app = create_app({"TESTING": True, "DATABASE": str(path), "SECRET_KEY": "k"})
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"username": "canbo1", "password": "mat-khau-dung-1", "csrf_token": token})
    page = client.get("/devices/k01")
    assert page.status_code == 200 and "<svg" in page.text and "Tổng: 5 đơn" in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = client.post("/devices/k01/config", data={"metrics_interval_s": "15", "csrf_token": token})
    assert r.status_code == 302
    r = client.post("/devices/k01/command", data={"action": "send_metrics", "csrf_token": token})
    assert r.status_code == 302
    assert client.post("/devices/k01/command", data={"action": "x", "csrf_token": token}).status_code == 400
    with sqlite3.connect(path) as c:
        assert c.execute("select version, settings, published_at from device_config").fetchone() == \
            (1, '{"metrics_interval_s": 15.0}', None)
        assert c.execute("select action from device_commands").fetchone() == ("send_metrics",)
    assert client.get("/devices/nope").status_code == 404
