"""Attacks 2 and 3: a kiosk writing into another's documents, and the verdict as an oracle.

Before: a kiosk could add a page to a document of another kiosk (whose id it learned from a
verdict; the panel's searchable PDF then held the foreign page), take over an import's page
row by its predictable id (``imp-<id>-p1``), and, by claiming a citizen's CCCD in
``identity_keys``, be told the ids of all that citizen's documents.
"""
from __future__ import annotations

import json
import queue

import pytest

from edge.wire import new_id, topic, verdict_topic
from hub.index import open_index
from hub.ingest.files import import_file
from tests.conftest import wait_for
from tests.security.conftest import LETTER, Client, kiosk_document


def _verdicts(broker, device: str) -> tuple[Client, queue.Queue]:  # noqa: ANN001
    got: queue.Queue = queue.Queue()
    c = Client(broker, device, on_message=lambda cl, u, m: got.put(m.payload))
    assert c.wait_connected()
    c.c.subscribe(verdict_topic(device), qos=1)
    return c, got


def _send(client: Client, device: str, doc, page=None) -> None:  # noqa: ANN001
    if page is not None:
        client.publish(topic(device, "page"), page.to_json())
    client.publish(topic(device, "doc"), doc.to_json())


def _rejected(db, what: str) -> int:  # noqa: ANN001
    return db.execute("select count(*) from rejected_messages where error like ?", [f"%{what}%"]).fetchone()[0]


@pytest.mark.slow
def test_a_kiosk_cannot_write_into_another_kiosks_or_an_imports_document(broker, ingester, tmp_path):
    db = open_index(tmp_path / "index.db")
    victim, attacker = Client(broker, "k02"), Client(broker, "k01")
    try:
        doc, page = kiosk_document("k02", LETTER.format(n=1))
        _send(victim, "k02", doc, page)
        wait_for(lambda: db.execute("select complete_at from documents where doc_id = ?", [doc.doc_id]).fetchone(),
                 timeout=20, what="the victim's document")
        # A page of the attacker's own for the victim's document (its id learned somehow).
        _, foreign = kiosk_document("k01", "trang giả mạo", doc_id=doc.doc_id)
        attacker.publish(topic("k01", "page"), foreign.to_json())
        # The same document id sent as a document of the attacker's.
        forged, _ = kiosk_document("k01", "Đơn giả mạo " * 20, doc_id=doc.doc_id)
        _send(attacker, "k01", forged)
        # A document of the attacker's that lists the victim's page as its own.
        stealer, _ = kiosk_document("k01", "Lấy trang của người khác " * 10, page_id=page.page_id)
        _send(attacker, "k01", stealer)
        # An import's page, by its predictable id, and a document with the import's id.
        letter = tmp_path / "thu.txt"
        letter.write_text(LETTER.format(n=2), encoding="utf-8")
        imported = import_file(db, letter).document_id
        _, imp_page = kiosk_document("k01", "x", doc_id=imported, page_id=f"{imported}-p1")
        attacker.publish(topic("k01", "page"), imp_page.to_json())
        imp_doc, _ = kiosk_document("k01", "Ghi đè đơn nhập " * 10, doc_id=imported)
        _send(attacker, "k01", imp_doc)
        wait_for(lambda: db.execute("select count(*) from rejected_messages").fetchone()[0] >= 5,
                 timeout=20, what="the forgeries kept aside")
    finally:
        victim.close()
        attacker.close()
    assert db.execute("select device_id, page_count, text from documents where doc_id = ?",
                      [doc.doc_id]).fetchone() == ("k02", 1, LETTER.format(n=1))
    assert [r[0] for r in db.execute("select page_id from pages where doc_id = ?", [doc.doc_id])] == [page.page_id]
    assert db.execute("select count(*) from documents where doc_id = ?", [stealer.doc_id]).fetchone()[0] == 0
    assert db.execute("select source, text from documents where doc_id = ?", [imported]).fetchone()[0] == "import"
    assert db.execute("select doc_id, image from pages where page_id = ?", [f"{imported}-p1"]).fetchone() \
        == (imported, None)
    assert _rejected(db, "belongs to another") == 3  # the page, the document, the stolen page
    assert _rejected(db, "not a kiosk id") == 2  # the import's ids have not a kiosk id's shape


@pytest.mark.slow
def test_the_verdict_tells_a_kiosk_nothing_about_other_documents(broker, ingester, tmp_path):
    db = open_index(tmp_path / "index.db")
    victim = Client(broker, "k02")
    attacker, verdicts = _verdicts(broker, "k01")
    try:
        first, page = kiosk_document("k02", LETTER.format(n=7))
        _send(victim, "k02", first, page)
        wait_for(lambda: db.execute("select 1 from documents where doc_id = ?", [first.doc_id]).fetchone(),
                 timeout=20, what="the citizen's letter")
        # A made-up letter that claims the citizen's CCCD, and a copy of the citizen's letter.
        claim, _ = kiosk_document("k01", "Đề nghị cấp lại giấy tờ, không nêu tên người gửi. " * 8)
        claim = type(claim)(**{**claim.__dict__, "identity_keys": ("cccd:001190023456",)})
        _send(attacker, "k01", claim)
        copy, _ = kiosk_document("k01", LETTER.format(n=7))
        _send(attacker, "k01", copy)
        answers = [verdicts.get(timeout=20), verdicts.get(timeout=20)]
    finally:
        victim.close()
        attacker.close()
    by_doc = {json.loads(a)["doc_id"]: json.loads(a) for a in answers}
    assert set(by_doc) == {claim.doc_id, copy.doc_id}
    for raw in answers:
        assert first.doc_id.encode() not in raw and b"same_citizen" not in raw
    assert by_doc[claim.doc_id]["outcome"] == "new"
    assert by_doc[copy.doc_id]["same_matter"] is True and by_doc[copy.doc_id]["case_status"] == "received"
    # The claim is ignored: the keys stored are those the hub reads in the text (none here).
    keys = db.execute("select identity_keys from documents where doc_id = ?", [claim.doc_id]).fetchone()[0]
    assert "001190023456" not in (keys or "")


def test_document_ids_must_have_a_kiosks_shape(tmp_path):
    from hub.ingest.handle import Rejected, handle_message

    db = open_index(tmp_path / "index.db")
    for bad in ('x"; filename=evil.exe', "a\r\nINFO forged log line", "imp-" + "0" * 28, "../../etc"):
        doc, page = kiosk_document("k01", "nội dung", doc_id=new_id())
        body = doc.to_json().replace(doc.doc_id.encode(), json.dumps(bad)[1:-1].encode())
        assert isinstance(handle_message(db, topic("k01", "doc"), body), Rejected)
    assert db["documents"].count == 0
