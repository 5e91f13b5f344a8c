"""A kiosk document's reference and fields in the city index: kept when valid and the sender's own."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest

from edge.fields import extract
from edge.fingerprint import fingerprint
from edge.fingerprint.identity import identity_keys
from edge.wire import topic
from hub.index import open_index
from hub.index.documents import NewDocument, insert_document, next_reference
from hub.ingest.handle import Stored, handle_message
from tests.hub.test_ingest import doc_message

LETTER = ("ĐƠN KHIẾU NẠI\nKính gửi: Ủy ban nhân dân quận Hoàn Kiếm\nHo va ten: Nguyen Van Hung\n"
          "Số CCCD: 001062004512\nĐịa chỉ: số 14 phố Hàng Bạc, quận Hoàn Kiếm, Hà Nội\n"
          "Số điện thoại: 0912345678\nTôi khiếu nại việc lấn chiếm vỉa hè trước cửa nhà số 16.\n")


@pytest.fixture
def db(tmp_path):
    d = open_index(tmp_path / "index.db")
    yield d
    d.conn.close()


def send(db, meta: dict, device: str = "k01", text: str = LETTER * 2):
    doc, _ = doc_message(text=text, device=device)
    doc = replace(doc, meta=meta)
    assert isinstance(handle_message(db, topic(device, "doc"), doc.to_json()), Stored)
    return db["documents"].get(doc.doc_id), doc.doc_id


def test_a_kiosks_own_reference_and_clerk_fields_are_stored(db):
    fields = {**extract(LETTER).corrected({"name": "Nguyễn Văn Hùng"}).to_dict(), "source": "clerk"}
    row, doc_id = send(db, {"reference": "K01-081226-0007", "fields": fields})
    assert row["reference"] == "K01-081226-0007"
    stored = db["document_fields"].get(doc_id)
    assert (stored["name"], stored["id_number"], stored["kind"], stored["source"], stored["updated_by"]) == (
        "Nguyễn Văn Hùng", "001062004512", "khiếu nại", "clerk", "k01")
    assert json.loads(stored["confidence"])["name"] == 1.0


def test_a_reference_of_another_kiosk_or_already_used_is_replaced(db):
    first, _ = send(db, {"reference": "K01-081226-0007"})
    again, _ = send(db, {"reference": "K01-081226-0007"}, text=LETTER * 3)  # used: the hub numbers it
    other, _ = send(db, {"reference": "K01-081226-0008"}, device="k02", text=LETTER * 4)  # not k02's
    junk, _ = send(db, {"reference": 12}, text=LETTER * 5)
    assert first["reference"] == "K01-081226-0007"
    refs = [again["reference"], other["reference"], junk["reference"]]
    assert all(r.startswith("TN-") for r in refs) and len(set(refs)) == 3


def test_fields_that_break_the_rules_are_dropped_but_the_document_is_kept(db):
    row, doc_id = send(db, {"fields": {"name": "x" * 5000, "id_number": "12ab"}})
    assert row is not None and not db["document_fields"].count


def test_an_import_gets_a_hub_reference(db):
    text = LETTER * 2
    doc = NewDocument(doc_id="imp-1", source="import", text=text, fingerprint=fingerprint(text),
                      identity_keys=identity_keys(text), page_count=1, fields=extract(text))
    assert insert_document(db, doc)
    ref = db["documents"].get("imp-1")["reference"]
    assert ref.startswith("NK-") and ref.endswith("-0001")
    assert next_reference(db).endswith("-0002")
    assert db["document_fields"].get("imp-1")["source"] == "ocr"
