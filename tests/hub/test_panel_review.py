"""Panel: review by matter (a group of copies confirmed in one action, a letter split out), the
pair page (images, reasons in words, reject reason), cases for the whole matter, re-submissions."""
from __future__ import annotations

import io
import re
import time

import pytest
from PIL import Image

from edge.fingerprint import fingerprint
from edge.fingerprint.identity import identity_keys
from hub.dedup import match_document
from hub.dedup.review import highlighted, passages
from hub.index import open_index
from hub.index.documents import NewDocument, insert_document
from hub.panel import create_app
from hub.panel.users import create_user

PASSWORD = "mat-khau-dung-1"
LETTER = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nĐƠN KHIẾU NẠI\n"
          "Kính gửi: Ủy ban nhân dân quận Đống Đa\nTôi tên là: Lê Thị Minh Hằng\n"
          "Số CCCD: 001180023456\nSố điện thoại: 0912 345 678\n"
          "Tôi khiếu nại Quyết định số 2231/QĐ-UBND ngày 14/05/2025 về việc thu hồi thửa đất số 118, "
          "tờ bản đồ số 27 tại ngõ 42 phố Khâm Thiên. Gia đình tôi đã sử dụng ổn định từ năm 1988, "
          "tiền bồi thường 412.000.000 đồng thấp hơn nhiều so với giá thị trường, chưa tính công trình "
          "phụ và cây trồng trên đất. Đề nghị xem xét lại phương án bồi thường cho gia đình tôi.\n")


def _add(db, doc_id: str, text: str, reference: str | None = None) -> None:
    with db.conn:
        insert_document(db, NewDocument(doc_id=doc_id, source="kiosk", device_id="k01", text=text,
                                        fingerprint=fingerprint(text), identity_keys=identity_keys(text),
                                        page_count=1))
        match_document(db, doc_id)
        if reference:
            db.execute("update documents set reference = ? where doc_id = ?", [reference, doc_id])


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (30, 42), (240, 240, 240)).save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture
def client(tmp_path):
    db = open_index(tmp_path / "i.db")
    _add(db, "a" * 32, LETTER, "K01-081226-0001")
    _add(db, "b" * 32, "Tôi gửi lại đơn này lần 2.\n" + LETTER, "K01-081226-0002")
    _add(db, "c" * 32, "Kính gửi lần 3, xin được trả lời.\n" + LETTER, "K01-081226-0003")
    with db.conn:
        db["document_fields"].insert({"doc_id": "a" * 32, "name": "Lê Thị Minh Hằng", "kind": "khiếu nại",
                                      "subject": "Thu hồi thửa đất số 118", "letter_date": "2025-06-02",
                                      "source": "ocr", "confidence": '{"name": 0.95}'})
        db["pages"].insert({"page_id": "pg-a", "doc_id": "a" * 32, "idx": 0, "text": LETTER, "mime": "image/png",
                            "image": _png(), "flags": '["low_confidence"]'})
    create_user(db, "canbo1", PASSWORD)
    db.conn.close()
    c = create_app({"TESTING": True, "DATABASE": str(tmp_path / "i.db"), "SECRET_KEY": "t"}).test_client()
    c.post("/login", data={"username": "canbo1", "password": PASSWORD, "csrf_token": _token(c.get("/login").text)})
    c.db_path = tmp_path / "i.db"
    return c


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_three_copies_are_one_item_confirmed_in_one_action_with_a_new_case(client):
    queue = client.get("/duplicates").text
    assert "1 nhóm đơn chờ xem xét · 3 cặp" in queue
    assert re.search(r'class="count"[^>]*>1<', queue)  # pending count in the menu
    assert "a" * 32 not in re.sub(r'href="[^"]*"|value="[^"]*"', "", queue)  # no raw id shown
    listed = client.get("/documents").text
    assert listed.count("badge-duplicate") == 3 and "badge-confirmed" not in listed
    page = client.get("/duplicates/review?i=0").text
    assert page.count('name="doc"') == 3 and "Phím tắt: x xác nhận cả nhóm" in page
    assert "Cùng số CCCD 001180023456" in page and "Cùng số điện thoại" in page
    assert "Đơn khiếu nại — Lê Thị Minh Hằng" in page
    docs = re.findall(r'name="doc" value="([^"]+)"', page)
    r = client.post("/duplicates/group", data={"csrf_token": _token(page), "doc": docs, "action": "confirm", "i": 0})
    assert r.status_code == 302 and "/duplicates/review?i=0" in r.headers["Location"]
    done = client.get(r.headers["Location"], follow_redirects=True).text
    assert "Đã xác nhận 3 đơn là một vụ việc" in done and "Đã xem xét hết" in done
    listed = client.get("/documents").text
    assert listed.count("badge-confirmed") == 3 and "badge-duplicate" not in listed
    db = open_index(client.db_path)
    assert db.execute("select count(*) from duplicate_pairs where decision = 'confirmed'").fetchone()[0] == 3
    refs = {r for (r,) in db.execute("select case_ref from documents")}
    assert len(refs) == 1 and re.fullmatch(r"HS-\d{4}/0001", refs.pop())


def test_splitting_a_letter_out_rejects_its_pairs_with_a_reason_and_keeps_the_rest(client):
    page = client.get("/duplicates/review?i=0").text
    docs = re.findall(r'name="doc" value="([^"]+)"', page)
    client.post("/duplicates/group", data={"csrf_token": _token(page), "doc": docs, "action": "split",
                                           "split": "c" * 32, "note": "khác thửa đất", "i": 0})
    db = open_index(client.db_path)
    decided = dict(((a, b), d) for a, b, d in db.execute("select doc_a, doc_b, decision from duplicate_pairs"))
    assert decided[("a" * 32, "c" * 32)] == decided[("b" * 32, "c" * 32)] == "rejected"
    assert decided[("a" * 32, "b" * 32)] == "proposed"
    assert db.execute("select note from duplicate_decisions").fetchall() == [("khác thửa đất",)] * 2
    assert client.get("/duplicates/review?i=0").text.count('name="doc"') == 2


def test_pair_page_shows_images_reasons_and_records_a_reject_reason(client):
    a, b = "a" * 32, "b" * 32
    page = client.get(f"/duplicates/{b}/{a}").text
    assert "/pages/pg-a/image" in page and "K01-081226-0002" in page
    assert "Giống nhau" in page or "Nội dung giống hệt" in page or "Văn bản giống" in page
    assert "Cùng số CCCD 001180023456" in page
    marks = re.findall(r"<mark>(.*?)</mark>", page, re.S)
    assert any("Quyết định số 2231/QĐ-UBND ngày 14/05/2025" in m for m in marks)
    r = client.post("/duplicates/decide", data={"csrf_token": _token(page), "doc_a": a, "doc_b": b,
                                                "decision": "rejected", "note": "hai việc khác nhau",
                                                "next": "/duplicates"})
    assert r.status_code == 302
    assert "hai việc khác nhau" in client.get(f"/duplicates/{a}/{b}").text


def test_highlights_stop_at_word_boundaries():
    sa, sb = passages("Tôi khiếu nại quyết định thu hồi đất ngày 29/05/2025 của quận",
                      "tôi khiếu nại quyết định thu hồi đất ngày 28/05/2025 của quận")
    marked = [s.text for s in sa if s.shared]
    assert "Tôi khiếu nại quyết định thu hồi đất ngày" in marked
    assert not any(m.endswith("2") for m in marked)  # never half of "29"
    assert "".join(s.text for s in sa) == "Tôi khiếu nại quyết định thu hồi đất ngày 29/05/2025 của quận"


def test_two_580_kb_letters_render_in_under_a_second():
    words = ("tôi khiếu nại quyết định số 2231 ngày 14 tháng 5 năm 2025 về việc thu hồi đất thửa "
             "bồi thường gia đình ủy ban nhân dân phường đề nghị xem xét").split()
    a = " ".join(words[(i * 7 + i // 3) % len(words)] for i in range(200_000))[:480_000]
    b = a[:240_000] + " ".join(words[(i * 5) % len(words)] for i in range(100_000))[:240_000]
    assert len(a.encode()) > 580_000 and len(b.encode()) > 570_000
    start = time.perf_counter()
    sa, sb = passages(a, b)
    html = highlighted(sa) + highlighted(sb)
    assert time.perf_counter() - start < 1.0
    assert "<mark>" in html and len(html) > 900_000
    assert "".join(s.text for s in sb) == b


def test_document_page_by_reference_in_words_with_field_correction(client):
    page = client.get("/documents/K01-081226-0001").text
    assert "Đơn khiếu nại — Lê Thị Minh Hằng" in page and "Chữ khó đọc" in page
    assert '["low_confidence"]' not in page and "cccd:" not in page
    assert "02/06/2025" in page
    r = client.post(f"/documents/{'a' * 32}/fields", data={"csrf_token": _token(page), "name": "Lê Thị Minh Hằng",
                                                           "kind": "tố cáo", "letter_date": "2025-06-03"})
    assert r.status_code == 302
    row = open_index(client.db_path)["document_fields"].get("a" * 32)
    assert (row["kind"], row["source"], row["updated_by"]) == ("tố cáo", "operator", "canbo1")
    assert "Đơn tố cáo — Lê Thị Minh Hằng" in client.get("/documents/K01-081226-0001").text


def test_a_status_applies_to_the_whole_matter_and_a_resubmission_is_flagged(client):
    page = client.get("/duplicates/review?i=0").text
    docs = re.findall(r'name="doc" value="([^"]+)"', page)
    client.post("/duplicates/group", data={"csrf_token": _token(page), "doc": docs[:2], "action": "confirm"})
    db = open_index(client.db_path)
    with db.conn:  # the first two letters came in January, before the matter was resolved
        db.execute("update documents set received_at = '2025-01-10T02:00:00+00:00' where doc_id in (?, ?)",
                   ["a" * 32, "b" * 32])
    ref = db["documents"].get("a" * 32)["case_ref"]
    case = client.get(f"/cases/{ref}").text
    assert "K01-081226-0001" in case and "K01-081226-0002" in case
    r = client.post(f"/cases/{ref}/status", data={"csrf_token": _token(case), "status": "resolved",
                                                 "resolved_on": "2025-01-15"})
    assert r.status_code == 302
    statuses = dict(db.execute("select doc_id, status from documents"))
    assert statuses["a" * 32] == statuses["b" * 32] == "resolved"
    history = client.get(f"/cases/{ref}").text
    assert "Đã giải quyết 15/01/2025" in history
    # The third copy arrived after the resolution: a re-submission, flagged everywhere.
    listing = client.get("/documents?resub=1").text
    assert "K01-081226-0003" in listing and "K01-081226-0001" not in listing
    assert "gửi lại việc đã giải quyết" in listing
    assert "Gửi lại vụ việc đã giải quyết" in client.get("/documents/K01-081226-0003").text
    # A date with another status is not kept.
    client.post(f"/cases/{ref}/status", data={"csrf_token": _token(case), "status": "in_progress",
                                             "resolved_on": "2025-01-15"})
    assert db.execute("select resolved_on from cases where case_ref = ?", [ref]).fetchone()[0] is None


def test_case_csv_upload_reports_each_bad_row_in_vietnamese(client):
    page = client.get("/cases/import").text
    csv_text = ("so_ho_so,trang_thai,ngay_giai_quyet,ma_don\n"
                "HS-2024/0099,Đã giải quyết,15/03/2024,K01-081226-0001\n"
                ",Đang xử lý,,\n"
                "HS-2024/0100,lung tung,,\n"
                "HS-2024/0101,Đã tiếp nhận,,K99-000000-0000\n")
    big = csv_text + "".join(f"HS-2023/{i:04d},Đã tiếp nhận,,\n" for i in range(4000))  # > 64 KiB
    r = client.post("/cases/import", data={"csrf_token": _token(page),
                                           "file": (io.BytesIO(big.encode()), "ho_so.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 200, r.text[:300]
    assert "Đã nhập 4002 hồ sơ, gắn 1 đơn." in r.text
    assert "Dòng 3: thiếu số hồ sơ" in r.text and "Dòng 4: tình trạng “lung tung” không rõ" in r.text
    assert "Dòng 5: không có đơn K99-000000-0000 trong hệ thống" in r.text
    db = open_index(client.db_path)
    assert db["documents"].get("a" * 32)["case_ref"] == "HS-2024/0099"
    assert "HS-2024/0099" in client.get("/cases?status=resolved").text


def test_a_spreadsheet_uploaded_instead_of_csv_is_refused_in_words(client):
    page = client.get("/cases/import").text
    r = client.post("/cases/import", data={"csrf_token": _token(page),
                                           "file": (io.BytesIO(b"PK\x03\x04\x00\x00binary"), "ho_so.xlsx")},
                    content_type="multipart/form-data")
    assert r.status_code == 200 and "Tệp không phải văn bản CSV" in r.text


def test_a_letter_shows_the_same_citizens_other_matter_by_its_reference(client):
    other = ("ĐƠN KIẾN NGHỊ\nKính gửi: Ủy ban nhân dân phường Ô Chợ Dừa\nTôi tên là: Lê Thị Minh Hằng\n"
             "Số CCCD: 001180023456\nQuán karaoke số 77 ngõ 120 Hào Nam mở nhạc to sau 23 giờ mỗi đêm từ "
             "tháng 3/2026, đề nghị kiểm tra và xử phạt theo quy định về tiếng ồn khu dân cư.\n")
    db = open_index(client.db_path)
    _add(db, "d" * 32, other, "K01-081226-0004")
    db.conn.close()
    html = client.get("/documents/K01-081226-0004").text
    part = html.split("Đơn khác của cùng công dân", 1)[1].split("</ul>", 1)[0]
    assert 'href="/documents/' + "a" * 32 + '"' in part and "K01-081226-0001" in part
    assert "Không có đơn nào khác của công dân này." not in html
