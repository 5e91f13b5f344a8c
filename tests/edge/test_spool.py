from __future__ import annotations

import json

import pytest

from edge.exceptions import DiskFull, SpoolError
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


def test_outbox_rows_leave_only_when_the_hub_confirms_them(spool):
    batch = spool.start_batch(source="test")
    spool.finish_batch(batch, documents=[("d1", 1, (("m1", "kiosk/k01/page", b"p"),
                                                     ("m2", "kiosk/k01/doc", b"d")))])
    rows = spool.pending(exclude=set(), limit=10)
    assert [r.msg_id for r in rows] == ["m1", "m2"]
    assert [r.msg_id for r in spool.pending(exclude={rows[0].seq}, limit=10)] == ["m2"]
    spool.acknowledge([rows[0].seq])  # the broker's PUBACK: sent, kept
    assert spool.stats()["outbox_depth"] == 2
    assert [r.msg_id for r in spool.pending(exclude=set(), limit=10)] == ["m2"]  # not due again yet
    assert spool.confirm(["m1"]) == 1  # the hub's ack
    assert spool.confirm(["m1"]) == 0  # the same ack again changes nothing
    assert spool.stats()["outbox_depth"] == 1
    spool.set_verdict("d1", {"doc_id": "d1", "outcome": "new"})
    assert json.loads(spool.recent_documents()[0]["verdict"])["outcome"] == "new"


def test_nearly_full_disk_stops_scanning_with_a_clear_message(tmp_path):
    s = Spool(tmp_path / "spool.db", min_free_mb=1e12)
    with pytest.raises(DiskFull) as e:
        s.check_space()
    assert "Bộ nhớ thiết bị sắp đầy" in e.value.message_vi
    s.close()


def _delivered_batch(spool, doc_id="d1"):
    batch = spool.start_batch(source="test")
    page = spool.add_page(batch_id=batch, idx=0, raw=b"raw", source="x", dpi=300, scan_sha256="h")
    spool.page_done(page, result={"text": "t"}, archive=b"jpeg", mime="image/jpeg",
                    archive_sha256="s", pdf=b"%PDF")
    spool.end_batch(batch)
    spool.finish_batch(batch, documents=[(doc_id, 1, (("m1", "kiosk/k01/page", b"p"),
                                                       ("m2", "kiosk/k01/doc", b"d")))])
    return batch, page


def test_a_document_is_sent_on_the_brokers_ack_and_delivered_on_the_hubs(spool):
    _delivered_batch(spool)
    rows = spool.pending(exclude=set(), limit=10)
    spool.acknowledge([rows[0].seq])
    doc = spool.db["documents"].get("d1")
    assert doc["sent_at"] is None and doc["delivered_at"] is None
    spool.acknowledge([rows[1].seq])
    doc = spool.db["documents"].get("d1")
    assert doc["sent_at"] and doc["delivered_at"] is None
    stats = spool.stats()
    assert (stats["sent"], stats["delivered"], stats["unconfirmed"]) == (1, 0, 2)
    spool.confirm(["m1"])
    assert spool.db["documents"].get("d1")["delivered_at"] is None
    spool.confirm(["m2"])
    stats = spool.stats()
    assert spool.db["documents"].get("d1")["delivered_at"]
    assert (stats["sent"], stats["delivered"], stats["outbox_depth"]) == (1, 1, 0)
    assert stats["oldest_undelivered_s"] == 0.0


def test_rows_the_hub_does_not_confirm_are_sent_again_later_and_later(spool, monkeypatch):
    import edge.outbox.spool as spool_mod

    _delivered_batch(spool)
    clock = [1000.0]
    monkeypatch.setattr(spool_mod.time, "time", lambda: clock[0])
    row = spool.pending(exclude=set(), limit=1)[0]
    for tries, wait in ((1, 10.0), (2, 20.0), (3, 40.0)):
        spool.mark_sent(row.seq)
        spool.acknowledge([row.seq], resend_after_s=10.0)
        clock[0] += wait - 0.5
        assert row.seq not in {r.seq for r in spool.pending(exclude=set(), limit=10)}, tries
        clock[0] += 1.0
        assert row.seq in {r.seq for r in spool.pending(exclude=set(), limit=10)}, tries
    spool.acknowledge([row.seq], resend_after_s=10.0)
    assert spool.resend_unconfirmed() == 1  # a reconnect: everything unconfirmed is due now
    assert row.seq in {r.seq for r in spool.pending(exclude=set(), limit=10)}


def test_a_page_whose_batch_was_replaced_under_its_worker_is_skipped(tmp_path):
    s = Spool(tmp_path / "spool.db")
    batch = s.start_batch(source="hotfolder:a", content_key="k")
    s.add_page(batch_id=batch, idx=0, raw=b"x", source="x", dpi=300, scan_sha256="h")
    held = s.claim_page()
    s.start_batch(source="hotfolder:a", content_key="k")  # the folder read again after a restart
    s.page_done(held["page_id"], result={"text": "t"}, archive=b"j", mime="image/jpeg",
                archive_sha256="s")  # no NotFoundError: the worker goes on
    assert s.page_failed(held["page_id"], attempts=1, code="ocr_failed", detail="d") is True
    assert s.db["pages"].count == 0
    s.close()


def test_retention_prunes_only_pages_the_hub_confirmed(spool):
    _, page = _delivered_batch(spool)
    assert spool.prune(older_than_s=0) == 0  # still in the outbox: never pruned
    spool.acknowledge([r.seq for r in spool.pending(exclude=set(), limit=10)])
    assert spool.prune(older_than_s=0) == 0  # broker has it, hub has not confirmed
    spool.set_verdict("d1", {"doc_id": "d1", "outcome": "new"})
    assert spool.prune(older_than_s=0) == 0  # a verdict is not the ack
    spool.confirm(["m1", "m2"])
    assert spool.prune(older_than_s=3600) == 0  # delivered just now: inside retention
    assert spool.prune(older_than_s=0) == 1
    row = spool.db["pages"].get(page)
    assert row["raw"] is None and row["archive"] is None and row["pdf"] is None and row["pruned_at"]
    assert spool.prune(older_than_s=0) == 0  # idempotent


def test_full_disk_prunes_delivered_pages_before_refusing_scans(tmp_path):
    s = Spool(tmp_path / "spool.db", min_free_mb=1e12)
    _delivered_batch(s)
    s.acknowledge([r.seq for r in s.pending(exclude=set(), limit=10)])
    s.confirm(["m1", "m2"])
    with pytest.raises(DiskFull):
        s.check_space()  # the disk is still "full" after pruning, but the pruning happened
    assert s.db["pages"].count_where("pruned_at is not null") == 1
    s.close()


def test_settings_survive_reopen(tmp_path):
    s = Spool(tmp_path / "spool.db")
    s.set_setting("desired_config", '{"version": 3}')
    s.close()
    again = Spool(tmp_path / "spool.db")
    assert again.get_setting("desired_config") == '{"version": 3}'
    assert again.get_setting("missing", "x") == "x"
    again.close()


def test_finish_batch_is_one_transaction(spool):
    batch = spool.start_batch(source="test")
    message = (("m1", "kiosk/k01/page", b"p"),)
    with pytest.raises(SpoolError):  # the second document repeats the first one's id
        spool.finish_batch(batch, documents=[("d1", 1, message), ("d1", 1, message)])
    assert spool.stats()["outbox_depth"] == 0 and spool.db["documents"].count == 0
