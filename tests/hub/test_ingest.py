from __future__ import annotations

import hashlib

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
from hub.dedup import clusters
from hub.ingest.handle import Rejected, Repeated, Stored, handle_message

PETITION = ("Kính gửi: Thanh tra thành phố Hà Nội. Tôi tên là Lê Văn Tám, số CCCD 001080045678, "
            "trú tại số 8 ngõ 12 phố Khâm Thiên, phường Văn Miếu. Tôi tố cáo việc xây dựng trái phép "
            "tại thửa đất số 221, tờ bản đồ số 7, theo Giấy phép số 345/GPXD ngày 02/05/2025. ") * 3


def doc_message(text: str = PETITION, device: str = "k01") -> tuple[DocumentMessage, PageImageMessage]:
    doc_id, page_id = new_id(), new_id()
    image = b"\xff\xd8jpeg-bytes" + doc_id.encode()
    sha = hashlib.sha256(image).hexdigest()
    page = PageImageMessage(msg_id=new_id(), device_id=device, sent_at=now_iso(), doc_id=doc_id,
                            page_id=page_id, index=0, mime="image/jpeg", width=100, height=140,
                            dpi=300, image_sha256=sha, image=image)
    doc = DocumentMessage(msg_id=new_id(), device_id=device, sent_at=now_iso(), doc_id=doc_id,
                          batch_id=new_id(), scanned_at=now_iso(), page_count=1,
                          pages=(PageInfo(page_id, 0, sha, 1.0, 90.0, text),),
                          fingerprint=fingerprint(text))
    return doc, page


def test_same_message_twice_is_one_document(db):
    doc, page = doc_message()
    assert isinstance(handle_message(db, topic("k01", "page"), page.to_json()), Stored)
    assert isinstance(handle_message(db, topic("k01", "doc"), doc.to_json()), Stored)
    assert isinstance(handle_message(db, topic("k01", "doc"), doc.to_json()), Repeated)
    assert isinstance(handle_message(db, topic("k01", "page"), page.to_json()), Repeated)
    assert db["documents"].count == 1 and db["pages"].count == 1
    stored = db["pages"].get(page.page_id)
    assert stored["image"] == page.image and stored["text"] == PETITION  # image first, text later


def test_resent_copy_from_another_kiosk_is_a_duplicate(db):
    first, _ = doc_message()
    second, _ = doc_message(device="k02")
    handle_message(db, topic("k01", "doc"), first.to_json())
    outcome = handle_message(db, topic("k02", "doc"), second.to_json())
    assert outcome.verdict.matches[0].doc_id == first.doc_id
    assert clusters(db) == [sorted([first.doc_id, second.doc_id])]


def test_same_template_with_other_numbers_is_not_merged(db):
    first, _ = doc_message()
    other_text = (PETITION.replace("221", "478").replace("345/GPXD", "912/GPXD")
                  .replace("02/05/2025", "17/09/2024").replace("tờ bản đồ số 7", "tờ bản đồ số 15"))
    second, _ = doc_message(other_text)
    handle_message(db, topic("k01", "doc"), first.to_json())
    handle_message(db, topic("k01", "doc"), second.to_json())
    assert clusters(db) == []


@pytest.mark.parametrize("payload", [b"garbage", b'{"schema": 1}', b"{\"schema\":1,\"kind\":\"doc\"}"])
def test_malformed_message_is_kept_aside_and_ingest_goes_on(db, payload):
    outcome = handle_message(db, topic("k01", "doc"), payload)
    assert isinstance(outcome, Rejected)
    row = next(db["rejected_messages"].rows)
    assert row["payload"] == payload and row["error"]
    doc, _ = doc_message()
    assert isinstance(handle_message(db, topic("k01", "doc"), doc.to_json()), Stored)


def test_device_cannot_speak_for_another(db):
    doc, _ = doc_message(device="k02")
    assert isinstance(handle_message(db, topic("k01", "doc"), doc.to_json()), Rejected)
    assert db["documents"].count == 0


def test_page_image_with_wrong_hash_is_rejected(db):
    _, page = doc_message()
    body = page.to_json().replace(page.image_sha256.encode(), b"0" * 64)
    assert isinstance(handle_message(db, topic("k01", "page"), body), Rejected)


def test_status_and_stale_will(db):
    def status(state, boot):
        return StatusMessage(msg_id=new_id(), device_id="k01", sent_at=now_iso(), state=state,
                             boot_id=boot).to_json()
    handle_message(db, topic("k01", "status"), status("online", "boot-2"))
    handle_message(db, topic("k01", "status"), status("offline", "boot-1"))  # late will of old boot
    assert db["devices"].get("k01")["state"] == "online"
    metrics = MetricsMessage(msg_id=new_id(), device_id="k01", sent_at=now_iso(), uptime_s=5,
                             outbox_depth=3, pages_today=12, ocr_backlog=1, scanner_state="ready")
    handle_message(db, topic("k01", "metrics"), metrics.to_json())
    dev = db["devices"].get("k01")
    assert (dev["outbox_depth"], dev["pages_today"]) == (3, 12)
    handle_message(db, topic("k01", "status"), status("offline", "boot-2"))
    assert db["devices"].get("k01")["state"] == "offline"


def test_identity_keys_are_found_at_the_hub_when_a_kiosk_sent_none(db):
    # A kiosk of an older version sends no identity keys: the hub reads them from the text.
    doc, _ = doc_message()
    assert doc.identity_keys == ()
    assert isinstance(handle_message(db, topic("k01", "doc"), doc.to_json()), Stored)
    stored = db.execute("select identity_keys from documents where doc_id = ?", [doc.doc_id]).fetchone()[0]
    assert "cccd:001080045678" in stored
