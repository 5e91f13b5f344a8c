"""Panel lists at scale: filters, sorts, true totals and pages, CSV/XLSX export of the view,
search ranked by exact accents and phrase, whole-word highlights, reference numbers."""
from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook

from edge.fingerprint.normalize import fold
from hub.index import open_index
from hub.index.search import rebuild
from hub.panel import create_app
from hub.panel.search import match_tiers
from hub.panel.users import create_user

PASSWORD = "mat-khau-dung-1"
NOW = datetime.now(UTC)


def _doc(i: int, text: str, **extra) -> dict:
    return {"doc_id": f"{i:032x}", "source": "kiosk", "device_id": "k01" if i % 2 else "k02", "page_count": 1,
            "received_at": (NOW - timedelta(days=i)).isoformat(timespec="seconds"), "text": text,
            "text_fold": fold(text), "status": "received", "reference": f"K01-081226-{i:04d}", **extra}


@pytest.fixture
def client(tmp_path):
    db = open_index(tmp_path / "i.db")
    docs = [_doc(i, f"ĐƠN KIẾN NGHỊ\nKính gửi:\nVề việc đèn đường số {i} hỏng") for i in range(1, 121)]
    docs.append(_doc(200, "ĐƠN PHẢN ÁNH\nKính gửi: UBND phường\nTôi là Trần Văn Bình phản ánh tiếng ồn"))
    docs.append(_doc(201, "ĐƠN KHIẾU NẠI\nTôi tên là Nguyễn Thị Ánh, phản ánh việc PHẢN ÁNH chậm"))
    docs.append(_doc(202, "ĐƠN ĐỀ NGHỊ\nNguyễn Thị Anh đề nghị sửa đường"))
    db["documents"].insert_all(docs)
    rebuild(db)
    db["document_fields"].insert_all([
        {"doc_id": f"{200:032x}", "name": "Trần Văn Bình", "kind": "phản ánh", "id_number": "001099000111",
         "subject": "Tiếng ồn quán karaoke", "letter_date": "2026-11-30", "source": "ocr"},
        {"doc_id": f"{201:032x}", "name": "Nguyễn Thị Ánh", "kind": "khiếu nại", "source": "ocr"},
    ])
    db["pages"].insert({"page_id": "p5", "doc_id": f"{5:032x}", "idx": 0, "text": "", "flags": '["blank"]'})
    create_user(db, "canbo1", PASSWORD)
    db.conn.close()
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "i.db"), "SECRET_KEY": "t", "PAGE_SIZE": 50})
    c = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
    c.post("/login", data={"username": "canbo1", "password": PASSWORD, "csrf_token": token})
    return c


def _refs(html: str) -> list[str]:
    return re.findall(r'class="mono" href="/documents/[^"]+">([^<]+)</a>', html)


def test_list_pages_have_true_totals_and_show_people_not_ids(client):
    html = client.get("/documents").text
    assert "Trang 1/3 · 123 đơn" in html
    rows = _refs(html)
    assert len(rows) == 50 and rows[0] == "K01-081226-0001"
    assert "Trần Văn Bình" not in html  # received 200 days ago: on the last page
    last = client.get("/documents?page=3").text
    assert "Trần Văn Bình" in last and "Tiếng ồn quán karaoke" in last and "30/11/2026" in last
    # A page past the end (an old link) shows the last page, one before the first the first.
    assert "Trang 3/3 · 123 đơn" in client.get("/documents?page=99").text
    assert _refs(client.get("/documents?page=-4").text) == rows
    assert not re.search(r">[0-9a-f]{32}<", html + last)  # never a raw id as text
    assert "Kính gửi:" not in html  # a bare label is no title


def test_filters_and_sorts(client):
    assert "Trang 1/1 · 1 đơn" in client.get("/documents?kind=phản ánh").text
    k02 = client.get("/documents?kiosk=k02").text
    assert "62 đơn" in k02  # even numbers: 60 of them, 200 and 202
    flagged = client.get("/documents?flagged=1").text
    assert _refs(flagged) == ["K01-081226-0005"] and "trang cần xem lại" in flagged
    by_name = _refs(client.get("/documents?sort=name&dir=asc").text)
    assert by_name[:2] == ["K01-081226-0201", "K01-081226-0200"]  # Nguyễn before Trần; no name last
    oldest = _refs(client.get("/documents?dir=asc").text)
    assert oldest[0] == "K01-081226-0202"
    assert "Trang 1/1 · 0 đơn" in client.get("/documents?status=resolved").text


def test_date_range_is_in_hanoi_days(client):
    from hub.panel.timefmt import LOCAL_TZ

    received = NOW - timedelta(days=7)
    day = received.astimezone(LOCAL_TZ).date().isoformat()
    html = client.get(f"/documents?from={day}&to={day}").text
    assert "K01-081226-0007" in _refs(html) and len(_refs(html)) == 1


def test_export_csv_and_xlsx_of_the_filtered_view_is_never_cached(client):
    r = client.get("/documents/export.csv?kiosk=k01")
    assert r.headers["Cache-Control"] == "no-store" and "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Số đơn", "Thời điểm nhận", "Người viết đơn"]
    assert len(rows) == 1 + 61
    x = client.get("/documents/export.xlsx?kind=phản ánh")
    assert x.headers["Cache-Control"] == "no-store"
    ws = load_workbook(io.BytesIO(x.data)).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[1][0] == "K01-081226-0200" and values[1][2] == "Trần Văn Bình" and values[1][3] == "001099000111"
    assert "thông tin cá nhân" in client.get("/documents").text
    assert client.get("/documents/export.pdf").status_code == 404


def test_an_export_never_hands_a_spreadsheet_a_formula_from_a_letter(client, tmp_path):
    db = open_index(tmp_path / "i.db")
    with db.conn:
        db["document_fields"].update(f"{200:032x}", {"subject": '=HYPERLINK("http://x.invalid","Mở")',
                                                      "phone": "+84 912 345 678"})
    db.conn.close()
    rows = list(csv.reader(io.StringIO(client.get("/documents/export.csv?kind=phản ánh").data.decode("utf-8-sig"))))
    assert rows[1][9] == "'=HYPERLINK(\"http://x.invalid\",\"Mở\")" and rows[1][4] == "+84 912 345 678"
    ws = load_workbook(io.BytesIO(client.get("/documents/export.xlsx?kind=phản ánh").data)).active
    subject = ws.cell(row=2, column=10)
    assert subject.data_type == "s" and subject.value == '=HYPERLINK("http://x.invalid","Mở")'
    assert ws.cell(row=2, column=5).value == "+84 912 345 678"


def test_search_true_count_pages_and_reference(client, tmp_path):
    html = client.get("/search?q=den duong").text
    assert "120 kết quả" in html and "trang 1/3" in html
    assert 'rel="next" href="/search?page=2&amp;q=den+duong"' in html or "page=2" in html
    page3 = client.get("/search?q=den duong&page=3").text
    assert len(re.findall(r"<li>", page3)) == 20
    ref = client.get("/search?q=K01-081226-0200").text
    assert "Khớp số đơn" in ref and "Trần Văn Bình" in ref
    db = open_index(tmp_path / "i.db")
    with db.conn:  # the letter quotes its own number: found twice, counted once
        quoted = " Số đơn K01-081226-0200"
        db.execute("update documents set text = text || ?, text_fold = text_fold || ? where doc_id = ?",
                   [quoted, " " + fold(quoted), f"{200:032x}"])
    rebuild(db)
    db.conn.close()
    assert "1 kết quả" in client.get("/search?q=K01-081226-0200").text
    assert client.get("/documents/K01-081226-0200").status_code == 200


def test_a_name_typed_without_accents_finds_it_and_exact_accents_rank_first(client):
    html = client.get("/search?q=nguyen thi anh").text
    first = html.index("Nguyễn Thị Ánh") if "Nguyễn Thị Ánh" in html else -1
    assert first >= 0 and "Nguyễn Thị Anh" in html
    exact = client.get("/search?q=Nguyễn Thị Anh").text
    assert exact.index("K01-081226-0202") < exact.index("K01-081226-0201")


def test_highlight_marks_the_name_not_the_same_word_elsewhere():
    text = "ĐƠN KHIẾU NẠI\nTôi tên là Nguyễn Thị Ánh, phản ánh việc PHẢN ÁNH chậm"
    tier, spans = match_tiers(text, "Ánh")
    assert [text[s:e] for s, e in spans] == ["Ánh"]
    tier, spans = match_tiers(text, "Nguyễn Thị Ánh")
    assert tier == 0 and [text[s:e] for s, e in spans] == ["Nguyễn Thị Ánh"]
    _, spans = match_tiers("Bánh mì", "anh")
    assert spans == []  # never inside a word


def test_exports_and_new_screens_need_sign_in(tmp_path, client):
    app = client.application
    anonymous = app.test_client()
    for url in ("/documents/export.csv", "/documents/export.xlsx", "/cases", "/cases/import",
                "/duplicates/review", "/documents/K01-081226-0001"):
        r = anonymous.get(url)
        assert r.status_code == 302 and r.headers["Location"].startswith("/login"), url


def test_the_ranking_shortcut_agrees_with_the_highlighted_kind():
    from edge.fingerprint.normalize import fold
    from hub.panel.search import rank_tier

    texts = ["ĐƠN KHIẾU NẠI\nTôi tên là Nguyễn Thị Ánh, phản ánh việc PHẢN ÁNH chậm",
             "ĐƠN ĐỀ NGHỊ\nNguyễn Thị Anh đề nghị sửa đường", "Ông NGUYỄN văn Bình, bà Thị Ánh", "ánh sáng"]
    for q in ("Nguyễn Thị Ánh", "nguyen thi anh", "Ánh", "anh", "ÁNH", "thi an", "Bình"):
        for text in texts:
            assert rank_tier(text, fold(text), q) == match_tiers(text, q)[0], (q, text)
