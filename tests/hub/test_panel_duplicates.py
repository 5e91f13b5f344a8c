"""Panel review queue: the pair side by side with shared passages marked, decisions with who and when."""
from __future__ import annotations

import re

import pytest

from edge.fingerprint import fingerprint
from edge.fingerprint.identity import identity_keys
from hub.dedup import match_document
from hub.index import open_index
from hub.index.documents import NewDocument, insert_document
from hub.panel import create_app
from hub.panel.users import create_user

PASSWORD = "mat-khau-dung-1"
LETTER = ("ĐƠN KHIẾU NẠI\nKính gửi: Ủy ban nhân dân quận Đống Đa\nTôi tên là: Lê Thị Minh Hằng\n"
          "Tôi khiếu nại Quyết định số 2231/QĐ-UBND ngày 14/05/2025 về việc thu hồi thửa đất số 118, "
          "tờ bản đồ số 27 tại ngõ 42 phố Khâm Thiên; tiền bồi thường 412.000.000 đồng là quá thấp.\n") * 2


@pytest.fixture
def client(tmp_path):
    db = open_index(tmp_path / "i.db")
    for doc_id, text in (("d1", LETTER), ("d2", "THƯ GỬI KÈM ĐƠN\nKính đề nghị xem xét lại.\f" + LETTER)):
        with db.conn:
            insert_document(db, NewDocument(doc_id=doc_id, source="import", text=text,
                                            fingerprint=fingerprint(text), identity_keys=identity_keys(text),
                                            page_count=1))
            match_document(db, doc_id)
    create_user(db, "canbo1", PASSWORD)
    db.conn.close()
    c = create_app({"TESTING": True, "DATABASE": str(tmp_path / "i.db"), "SECRET_KEY": "t"}).test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
    c.post("/login", data={"username": "canbo1", "password": PASSWORD, "csrf_token": token})
    c.db_path = tmp_path / "i.db"
    return c


def test_pair_view_highlights_shared_passages_and_records_decisions(client):
    queue = client.get("/duplicates").text
    assert "/duplicates/d1/d2" in queue
    page = client.get("/duplicates/d2/d1").text  # either order
    marks = re.findall(r"<mark>(.*?)</mark>", page, re.S)
    assert any("Quyết định số 2231/QĐ-UBND" in m for m in marks)
    assert not any("THƯ GỬI KÈM ĐƠN" in m for m in marks)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = client.post("/duplicates/decide", data={"doc_a": "d1", "doc_b": "d2", "decision": "rejected",
                                                "csrf_token": token, "next": "/duplicates/d1/d2"})
    assert r.status_code == 302
    page = client.get("/duplicates/d1/d2").text
    assert "canbo1" in page and "không trùng" in page
    db = open_index(client.db_path)
    assert db["duplicate_decisions"].count_where("decided_by = 'canbo1' and decision = 'rejected'") == 1
    assert "/duplicates/d1/d2" not in client.get("/duplicates").text  # left the queue
    assert client.get("/duplicates/d1/zz").status_code == 404


def test_pair_page_gives_the_models_reasons_and_version(client):
    db = open_index(client.db_path)
    row = db.execute("select probability, model_version, reasons from duplicate_pairs").fetchone()
    assert row[0] is not None and row[1] and row[2]  # the model scored and explained the pair
    page = client.get("/duplicates/d1/d2").text
    assert "Văn bản giống" in page
    assert f"Đề xuất bởi mô hình {row[1]}" in page
