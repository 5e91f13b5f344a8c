from __future__ import annotations

import json

import pytest

from edge.exceptions import DiskFull
from edge.outbox.spool import Spool


@pytest.fixture
def spool(tmp_path):
    s = Spool(tmp_path / "spool.db")
    yield s
    s.close()


def test_page_is_stored_before_processing_and_survives_reopen(tmp_path):
    s = Spool(tmp_path / "spool.db")
    batch = s.start_batch(source="test")
    page_id = s.add_page(batch_id=batch, idx=0, raw=b"raw-bytes", source="x", dpi=300, scan_sha256="h")
    s.close()
    again = Spool(tmp_path / "spool.db")
    row = again.claim_page()
    assert row["page_id"] == page_id and row["raw"] == b"raw-bytes" and row["attempts"] == 1
    # a crash while processing puts the page back in the queue
    again.close()
    third = Spool(tmp_path / "spool.db")
    assert third.requeue_interrupted() == 1
    assert third.claim_page()["page_id"] == page_id
    third.close()


def test_failed_page_is_retried_once_then_flagged(spool):
    batch = spool.start_batch(source="test")
    spool.add_page(batch_id=batch, idx=0, raw=b"x", source="x", dpi=300, scan_sha256="h")
    row = spool.claim_page()
    assert spool.page_failed(row["page_id"], attempts=row["attempts"], code="ocr_failed", detail="d") is False
    row = spool.claim_page()
    assert spool.page_failed(row["page_id"], attempts=row["attempts"], code="ocr_failed", detail="d") is True
    assert spool.claim_page() is None
    assert spool.stats()["failed_pages"] == 1


def test_batch_becomes_ready_only_when_every_page_is_processed(spool):
    batch = spool.start_batch(source="test")
    for i in range(2):
        spool.add_page(batch_id=batch, idx=i, raw=b"x", source="x", dpi=300, scan_sha256="h")
    spool.end_batch(batch)
    first = spool.claim_page()
    spool.page_done(first["page_id"], result={"text": "a"}, archive=b"j", mime="image/jpeg",
                    archive_sha256="s")
    assert spool.batches_ready() == []
    second = spool.claim_page()
    spool.page_done(second["page_id"], result={"text": "b"}, archive=b"j", mime="image/jpeg",
                    archive_sha256="s")
    assert [b["batch_id"] for b in spool.batches_ready()] == [batch]


def test_outbox_rows_leave_only_when_acknowledged(spool):
    batch = spool.start_batch(source="test")
    spool.finish_batch(batch, documents=[("d1", 1, (("m1", "kiosk/k01/page", b"p"),
                                                     ("m2", "kiosk/k01/doc", b"d")))])
    rows = spool.pending(exclude=set(), limit=10)
    assert [r.msg_id for r in rows] == ["m1", "m2"]
    assert [r.msg_id for r in spool.pending(exclude={rows[0].seq}, limit=10)] == ["m2"]
    spool.acknowledge([rows[0].seq])
    assert spool.stats()["outbox_depth"] == 1
    spool.set_verdict("d1", {"doc_id": "d1", "outcome": "new"})
    assert json.loads(spool.recent_documents()[0]["verdict"])["outcome"] == "new"


def test_nearly_full_disk_stops_scanning_with_a_clear_message(tmp_path):
    s = Spool(tmp_path / "spool.db", min_free_mb=1e12)
    with pytest.raises(DiskFull) as e:
        s.check_space()
    assert "Bộ nhớ thiết bị sắp đầy" in e.value.message_vi
    s.close()
