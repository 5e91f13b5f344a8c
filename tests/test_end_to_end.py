"""The whole path on real parts: scanner/hot folder → pipeline → spool → MQTT → hub index → verdict."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from edge.agent import Agent
from edge.kiosk import create_app as kiosk_app
from edge.kiosk.security import CSRF_HEADER, csrf_value
from hub.config import MqttConfig
from hub.dedup import clusters
from hub.index import open_index
from hub.ingest.subscriber import Ingester
from tests.conftest import PASSWORDS, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture
def hub(broker, tmp_path):
    ingester = Ingester(db_path=tmp_path / "index.db", mqtt_cfg=MqttConfig(
        host="127.0.0.1", port=broker.port, username="hub", password=PASSWORDS["hub"],
        client_id="hub-test"))
    ingester.start()
    assert ingester.connected.wait(10)
    yield ingester
    ingester.stop()


def by_name(db, hits) -> set[str]:
    """Corpus names of the documents in search hits (the hot-folder batch name is the source)."""
    return {db["documents"].get(h["doc_id"])["source_name"].split(":")[-1] for h in hits}


def index(tmp_path: Path):
    return open_index(tmp_path / "index.db")


def test_sane_batch_reaches_the_hub_with_every_page_image(broker, hub, edge_config, tmp_path):
    cfg = edge_config(broker, scanner={"source": "sane", "dpi": 75}, ocr={"timeout_s": 60.0})
    agent = Agent(cfg)
    agent.start()
    try:
        assert agent.uplink.wait_connected(10)
        app = kiosk_app(agent)
        client = app.test_client()
        client.get(f"/?token={app.config['KIOSK_TOKEN']}")  # as the display launcher opens it
        csrf = {CSRF_HEADER: csrf_value(app.config["KIOSK_TOKEN"])}
        agent.request_scan()
        db = index(tmp_path)
        # The test device's sheets are blank: kept aside until the clerk sends them anyway.
        alert = wait_for(lambda: [a for a in client.get("/api/status").get_json()["alerts"]
                                  if a.get("action")], timeout=120, what="the blank-batch alert")[0]
        assert "Tất cả các trang đều trắng (10 trang)" in alert["text"]
        assert db["documents"].count == 0
        assert client.post(alert["action"], headers=csrf).get_json()["ok"]

        def stored():
            row = db.execute("select doc_id, page_count from documents").fetchone()
            if not row:
                return None
            have = db.execute("select count(*) from pages where doc_id = ? and image is not null",
                              [row[0]]).fetchone()[0]
            return row if have == row[1] else None

        doc_id, pages = wait_for(stored, timeout=120, what="the scanned batch in the hub index")
        assert pages == 10  # the test device's feeder holds 10 sheets
        assert agent.screen.snapshot()["state"] == "feeder_empty"
        wait_for(lambda: agent.spool.stats()["outbox_depth"] == 0, timeout=20, what="empty outbox")
        device = wait_for(lambda: db["devices"].get("k01") if db["devices"].count else None,
                          timeout=10, what="device row")
        assert device["state"] == "online"
        # the kiosk shows the batch's pages and gets the hub's verdict
        status = client.get("/api/status").get_json()
        assert len(status["pages"]) == 10 and status["connected"]
        assert client.get(f"/thumb/{status['pages'][0]['page_id']}").mimetype == "image/jpeg"
        wait_for(lambda: agent.spool.recent_documents()[0]["verdict"], timeout=15, what="verdict")
        assert "Máy quét" in client.get("/").get_data(as_text=True)
    finally:
        agent.stop()
    db = index(tmp_path)
    assert db["devices"].get("k01")["state"] == "offline"  # clean stop says so


def test_wrong_broker_password_is_reported_and_pages_wait_in_the_outbox(broker, edge_config,
                                                                         tmp_path):
    cfg = edge_config(broker, scanner={"source": "hotfolder", "hotfolder": tmp_path / "in",
                                       "settle_s": 0.2},
                      mqtt={"password": "wrong-password"})
    (tmp_path / "in").mkdir()
    agent = Agent(cfg)
    agent.start()
    try:
        wait_for(lambda: agent.uplink.last_error, timeout=10, what="an uplink error")
        assert "broker_auth_failed" in agent.uplink.last_error
        assert not agent.uplink.connected
        app = kiosk_app(agent)
        client = app.test_client()
        client.get(f"/?token={app.config['KIOSK_TOKEN']}")
        status = client.get("/api/status").get_json()
        assert "Mất kết nối tới máy chủ" in status["link"]
        assert any("Kiểm tra cáp mạng" in a["fix"] for a in status["alerts"])
    finally:
        agent.stop()


def test_hot_folder_petitions_are_indexed_and_the_copy_is_flagged(broker, hub, edge_config,
                                                                 tmp_path):
    from samplegen import generate_corpus

    corpus = tmp_path / "corpus"
    manifest = generate_corpus(corpus, matters=2, seed=7, dpi=200, max_skew=6.0,
                               variants=("rescan",))
    inbox = tmp_path / "in"
    inbox.mkdir()
    cfg = edge_config(broker, scanner={"source": "hotfolder", "hotfolder": inbox, "settle_s": 0.3,
                                       "dpi": 200})
    agent = Agent(cfg)
    agent.start()
    try:
        docs = manifest.documents
        for d in docs:
            shutil.copytree(corpus / d.name, inbox / d.name)
        db = index(tmp_path)
        wait_for(lambda: db["documents"].count == len(docs), timeout=240,
                 what=f"{len(docs)} documents in the index")
        # OCR text is in the index and searchable without diacritics
        original = next(d for d in docs if d.variant == "original")
        from edge.fingerprint.normalize import strip_diacritics
        from hub.index.search import search
        hits = search(db, strip_diacritics(original.citizen_name).lower())
        assert by_name(db, hits) >= {original.name}, "the citizen's name should be found"
        # the rescan is judged the same matter as its original; different matters are not merged
        by_source = {r["source_name"].split(":")[-1]: r["doc_id"] for r in db["documents"].rows}
        expected = {}
        for d in docs:
            expected.setdefault(d.matter_id, []).append(by_source[d.name])
        got = clusters(db)
        assert sorted(sorted(g) for g in expected.values() if len(g) > 1) == got
        # the kiosk got verdicts: 'new' for originals, 'same_matter' for copies
        def verdicts():
            rows = agent.spool.recent_documents(limit=10)
            return rows if all(r["verdict"] for r in rows) and len(rows) == len(docs) else None
        rows = wait_for(verdicts, timeout=20, what="verdicts for every document")
        outcomes = sorted(json.loads(r["verdict"])["outcome"] for r in rows)
        assert outcomes.count("same_matter") == sum(1 for d in docs if d.duplicate_of)
    finally:
        agent.stop()
