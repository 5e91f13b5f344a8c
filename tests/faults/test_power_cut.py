"""The hub killed (as by a power cut) while it commits a large batch: nothing half-written is
visible, and after the restart nothing is lost or stored twice."""
from __future__ import annotations

import signal
import sqlite3
import sys
import time

import pytest

from tests.conftest import PASSWORDS, wait_for
from tests.faults.chaos import Child
from tests.faults.test_backup import _messages
from tests.faults.test_store_and_forward import _client, _publish

pytestmark = pytest.mark.slow

DOCUMENTS = 400


def _consistent(db_path) -> tuple[int, int]:
    """Check what a reader sees; return (documents, messages seen)."""
    with sqlite3.connect(db_path, timeout=30) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        docs = c.execute("select count(*) from documents").fetchone()[0]
        # A document, its page, its search entry and its message id commit together.
        assert c.execute("select count(*) from documents_fts").fetchone()[0] == docs
        assert c.execute("select count(*) from documents where complete_at is null").fetchone()[0] == 0
        seen = c.execute("select count(*) from messages_seen").fetchone()[0]
        pages = c.execute("select count(*) from pages where image is not null").fetchone()[0]
    assert seen == docs + pages  # every stored message, and only those, remembered
    return docs, seen


def test_hub_killed_mid_commit_shows_nothing_half_written_and_loses_nothing(tmp_path, broker):
    db = tmp_path / "index.db"
    toml = tmp_path / "hub.toml"
    toml.write_text(f'[hub]\ndb = "{db}"\n\n[mqtt]\nhost = "127.0.0.1"\nport = {broker.port}\n'
                    f'username = "hub"\npassword = "{PASSWORDS["hub"]}"\nclient_id = "hub-power"\n'
                    'keepalive_s = 5\n')
    hub = Child("hub", [sys.executable, "-m", "hub", "--config", str(toml), "ingest"], tmp_path / "hub.log")
    hub.start()
    kiosk = _client(broker, "k01")
    try:
        def ingesting() -> bool:  # a page of its own until the hub has subscribed and stored one
            _publish(kiosk, *_messages(1)[0])
            time.sleep(0.5)
            return _seen(db) >= 1

        wait_for(ingesting, timeout=60, interval=0.5, what="the hub ingesting")
        hub.signal(signal.SIGSTOP)  # the burst waits in the broker, then comes at once
        msgs = _messages(DOCUMENTS)
        for name, payload in msgs:
            kiosk.publish(name, payload, qos=1)
        time.sleep(1.0)
        hub.signal(signal.SIGCONT)
        wait_for(lambda: _count(db) > 0, timeout=60, what="the first batch committed")
        hub.kill()  # mid-way through the burst, one batch of up to 200 messages at a time
        docs, _ = _consistent(db)
        assert 0 < docs < DOCUMENTS, "too fast to interrupt: make the burst bigger"
        hub.start()
        wait_for(lambda: _count(db) >= DOCUMENTS, timeout=120, what="every document after the restart")
        time.sleep(1.0)
        docs, _ = _consistent(db)
        assert docs == DOCUMENTS
    finally:
        kiosk.disconnect()
        kiosk.loop_stop()
        hub.stop()


def _count(db) -> int:
    try:
        with sqlite3.connect(db, timeout=30) as c:
            return c.execute("select count(*) from documents").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def _seen(db) -> int:
    try:
        with sqlite3.connect(db, timeout=30) as c:
            return c.execute("select count(*) from messages_seen").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
