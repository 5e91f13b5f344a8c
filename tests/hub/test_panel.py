"""Operator panel: sign-in, CSRF, fleet, documents and images, search, duplicate decisions."""
from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlite_utils
from PIL import Image

from edge.fingerprint.normalize import fold
from hub.index import open_index
from hub.index.search import rebuild
from hub.panel import create_app
from hub.panel.exceptions import UserExists, WeakPassword
from hub.panel.users import create_user, set_password, verify_user

PASSWORD = "mat-khau-dung-1"
TEXT_A = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐơn khiếu nại về việc cấp giấy chứng nhận quyền sử dụng đất\n<script>alert(1)</script>"
TEXT_B = "Đơn kiến nghị\nVề tiếng ồn công trình xây dựng ban đêm"


def _iso(delta_s: float = 0) -> str:
    return (datetime.now(UTC) - timedelta(seconds=delta_s)).isoformat(timespec="seconds")


def _png(color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 56), color).save(buf, format="PNG")
    return buf.getvalue()


def _seed(db: sqlite_utils.Database) -> None:
    db["devices"].insert_all([
        {"device_id": "kiosk-hoankiem-01", "state": "online", "last_seen": _iso(5),
         "pages_today": 37, "outbox_depth": 2, "ocr_backlog": 1, "scanner_state": "ready",
         "last_error": ""},
        {"device_id": "kiosk-caugiay-02", "state": "online", "last_seen": _iso(600),
         "pages_today": 4, "outbox_depth": 9, "ocr_backlog": 0, "scanner_state": "paper_jam",
         "last_error": "paper_jam"},
        {"device_id": "kiosk-dongda-03", "state": "offline", "last_seen": _iso(30),
         "pages_today": 0, "outbox_depth": 0, "ocr_backlog": 0, "scanner_state": "ready",
         "last_error": ""},
    ])
    docs = [
        # kiosk document announcing 2 pages, only page 1's image received
        {"doc_id": "doc-a", "source": "kiosk", "device_id": "kiosk-hoankiem-01", "batch_id": "b1",
         "scanned_at": _iso(400), "received_at": _iso(300), "page_count": 2, "text": TEXT_A},
        {"doc_id": "doc-b", "source": "import", "source_name": "don_2024_11.pdf",
         "received_at": _iso(200), "page_count": 1, "text": TEXT_B},
        {"doc_id": "doc-c", "source": "kiosk", "device_id": "kiosk-caugiay-02", "batch_id": "b2",
         "received_at": _iso(100), "page_count": 1, "text": TEXT_A.replace("<script>alert(1)</script>", "")},
    ]
    for d in docs:
        d["text_fold"] = fold(d["text"])
    db["documents"].insert_all(docs)
    rebuild(db)  # written around insert_document: index their search text
    db["pages"].insert_all([
        {"page_id": "pa1", "doc_id": "doc-a", "idx": 0, "text": TEXT_A, "mime": "image/png",
         "ocr_confidence": 91.5, "width": 40, "height": 56, "image": _png(),
         "image_received_at": _iso(290)},
        {"page_id": "pa2", "doc_id": "doc-a", "idx": 1, "text": "Trang hai", "mime": "image/png"},
        {"page_id": "pc1", "doc_id": "doc-c", "idx": 0, "text": docs[2]["text"],
         "mime": "text/html", "image": b"<script>alert(1)</script>"},
    ])
    db["duplicate_pairs"].insert({
        "doc_a": "doc-a", "doc_b": "doc-c", "similarity": 0.934, "containment": 0.97,
        "method": "minhash", "found_at": _iso(90),
    })


@pytest.fixture
def db_path(tmp_path):
    path = tmp_path / "i.db"
    db = open_index(path)
    _seed(db)
    create_user(db, "canbo1", PASSWORD, display_name="Cán bộ tiếp dân")
    db.conn.close()
    return path


@pytest.fixture
def app(db_path):
    return create_app({"TESTING": True, "DATABASE": str(db_path), "SECRET_KEY": "test"})


@pytest.fixture
def client(app):
    return app.test_client()


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _login(client, username: str = "canbo1", password: str = PASSWORD):
    token = _token(client.get("/login").text)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


@pytest.fixture
def auth(client):
    assert _login(client).status_code == 302
    return client


def test_every_page_requires_login(client):
    for url in ("/", "/documents", "/documents/doc-a", "/search?q=don", "/duplicates", "/pages/pa1/image"):
        r = client.get(url)
        assert r.status_code == 302 and r.headers["Location"].startswith("/login"), url
    assert client.get("/api/devices").status_code == 401
    page = client.get("/login")
    assert '<html lang="vi">' in page.text and "Đăng nhập" in page.text


def test_login_sets_safe_cookie_and_returns_to_page(client):
    token = _token(client.get("/login?next=/duplicates").text)
    r = client.post("/login", data={"username": "canbo1", "password": PASSWORD,
                                    "csrf_token": token, "next": "/duplicates"})
    assert r.status_code == 302 and r.headers["Location"] == "/duplicates"
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Cán bộ tiếp dân" in client.get("/").text


def test_login_refuses_offsite_redirect(client):
    token = _token(client.get("/login").text)
    r = client.post("/login", data={"username": "canbo1", "password": PASSWORD,
                                    "csrf_token": token, "next": "//evil.example/"})
    assert r.headers["Location"] == "/"


def test_wrong_password_and_unknown_user_get_the_same_vietnamese_message(client):
    wrong = _login(client, password="sai-mat-khau")
    unknown = _login(client, username="khongco")
    assert wrong.status_code == unknown.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in wrong.text
    strip = re.compile(r'name="csrf_token" value="[^"]+"|value="(canbo1|khongco)"')
    assert strip.sub("", wrong.text) == strip.sub("", unknown.text)
    assert client.get("/").status_code == 302


def test_post_without_or_with_wrong_csrf_token_is_rejected(client, db_path):
    r = client.post("/login", data={"username": "canbo1", "password": PASSWORD})
    assert r.status_code == 400 and "Phiên làm việc đã hết hạn" in r.text
    _login(client)
    r = client.post("/duplicates/decide", data={
        "doc_a": "doc-a", "doc_b": "doc-c", "decision": "confirmed", "csrf_token": "forged"})
    assert r.status_code == 400 and "biểu mẫu không hợp lệ" in r.text
    pair = open_index(db_path)["duplicate_pairs"].get(("doc-a", "doc-c"))
    assert pair["decision"] == "proposed" and pair["decided_by"] is None


def test_fleet_page_shows_each_device_state(auth):
    html = auth.get("/").text
    rows = {m.group(1): m.group(0) for m in re.finditer(
        r'<tr class="row-\w+">\s*<td class="mono">([\w-]+)</td>.*?</tr>', html, re.S)}
    assert "trực tuyến" in rows["kiosk-hoankiem-01"] and ">37<" in rows["kiosk-hoankiem-01"]
    assert "mất liên lạc" in rows["kiosk-caugiay-02"] and "Kẹt giấy" in rows["kiosk-caugiay-02"]
    assert "ngoại tuyến" in rows["kiosk-dongda-03"]
    api = auth.get("/api/devices").get_json()
    status = {d["device_id"]: d["status"] for d in api["devices"]}
    assert status == {"kiosk-caugiay-02": "lost", "kiosk-dongda-03": "offline",
                      "kiosk-hoankiem-01": "online"}
    assert api["summary"] == {"online": 1, "offline": 1, "lost": 1}


def test_stale_after_is_configurable(db_path, client):
    app = create_app({"TESTING": True, "DATABASE": str(db_path), "SECRET_KEY": "t",
                      "STALE_AFTER_S": 3600})
    c = app.test_client()
    _login(c)
    status = {d["device_id"]: d["status"] for d in c.get("/api/devices").get_json()["devices"]}
    assert status["kiosk-caugiay-02"] == "online"


def test_document_list_marks_incomplete_and_duplicates(auth):
    html = auth.get("/documents").text
    rows = re.findall(r"<tr>.*?</tr>", html, re.S)[1:]
    assert len(rows) == 3
    assert "don_2024_11.pdf" in rows[1]  # newest first: c, b, a
    assert "thiếu trang" in rows[2] and "có thể trùng" in rows[2]
    assert "thiếu trang" not in rows[1] and "có thể trùng" not in rows[1]
    assert "có thể trùng" in rows[0]


def test_document_view_shows_ocr_text_escaped_and_duplicate(auth):
    html = auth.get("/documents/doc-a").text
    assert "Đơn khiếu nại về việc cấp giấy chứng nhận" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "/pages/pa1/image" in html and "/pages/pa2/image" not in html
    assert "Chưa nhận được ảnh trang này." in html
    assert "93%" in html and "97%" in html and "/documents/doc-c" in html
    assert auth.get("/documents/khong-co").status_code == 404


def test_page_image_served_only_when_logged_in(client):
    assert client.get("/pages/pa1/image").status_code == 302
    _login(client)
    r = client.get("/pages/pa1/image")
    assert r.status_code == 200 and r.mimetype == "image/png" and r.data == _png()
    assert client.get("/pages/pa2/image").status_code == 404  # announced, not received
    assert client.get("/pages/nope/image").status_code == 404
    odd = client.get("/pages/pc1/image")
    assert odd.mimetype == "application/octet-stream"
    assert odd.headers["X-Content-Type-Options"] == "nosniff"


def test_search_ignores_diacritics(auth):
    r = auth.get("/search", query_string={"q": "khieu nai"})
    assert r.status_code == 200
    assert "/documents/doc-a" in r.text and "/documents/doc-c" in r.text
    assert "/documents/doc-b" not in r.text
    assert "<mark>khiếu nại</mark>" in r.text  # the phrase as read, with its diacritics
    assert "/documents/doc-b" in auth.get("/search", query_string={"q": "TIẾNG ỒN"}).text
    assert "Không tìm thấy" in auth.get("/search", query_string={"q": "xyzzy"}).text


def test_confirming_a_pair_records_who_and_keeps_documents(auth, db_path):
    token = _token(auth.get("/duplicates").text)
    assert "Đơn khiếu nại về việc cấp giấy" in auth.get("/duplicates").text
    r = auth.post("/duplicates/decide", data={
        "doc_a": "doc-a", "doc_b": "doc-c", "decision": "confirmed", "csrf_token": token})
    assert r.status_code == 302
    db = open_index(db_path)
    pair = db["duplicate_pairs"].get(("doc-a", "doc-c"))
    assert pair["decision"] == "confirmed" and pair["decided_by"] == "canbo1"
    assert pair["decided_at"]
    assert db["documents"].count == 3
    assert "Không có cặp đơn nào" in auth.get("/duplicates").text
    assert "canbo1" in auth.get("/duplicates?show=confirmed").text


def test_rejected_pair_drops_duplicate_badge(auth):
    token = _token(auth.get("/duplicates").text)
    auth.post("/duplicates/decide", data={
        "doc_a": "doc-a", "doc_b": "doc-c", "decision": "rejected", "csrf_token": token})
    assert "có thể trùng" not in auth.get("/documents").text


def test_case_status_update(auth, db_path):
    token = _token(auth.get("/documents/doc-b").text)
    auth.post("/documents/doc-b/status", data={
        "status": "resolved", "resolved_at": "2025-01-15", "csrf_token": token})
    doc = open_index(db_path)["documents"].get("doc-b")
    assert (doc["status"], doc["resolved_at"]) == ("resolved", "2025-01-15")
    assert "15/01/2025" in auth.get("/documents/doc-b").text
    future = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    r = auth.post("/documents/doc-b/status", data={
        "status": "resolved", "resolved_at": future, "csrf_token": token}, follow_redirects=True)
    assert "ngày giải quyết hợp lệ" in r.text
    auth.post("/documents/doc-b/status", data={"status": "in_progress", "csrf_token": token})
    doc = open_index(db_path)["documents"].get("doc-b")
    assert (doc["status"], doc["resolved_at"]) == ("in_progress", None)


def test_logout_needs_post_and_ends_session(auth):
    token = _token(auth.get("/").text)
    assert auth.post("/logout", data={"csrf_token": token}).status_code == 302
    assert auth.get("/").status_code == 302


def test_users_hash_and_verify(tmp_path):
    db = open_index(tmp_path / "u.db")
    create_user(db, "op", "mot-hai-ba-bon")
    assert db["users"].get("op")["password_hash"] != "mot-hai-ba-bon"
    assert verify_user(db, "op", "mot-hai-ba-bon")
    assert not verify_user(db, "op", "sai")
    assert not verify_user(db, "ai-do", "mot-hai-ba-bon")
    with pytest.raises(UserExists):
        create_user(db, "op", "khac-khac-khac")
    with pytest.raises(WeakPassword):
        set_password(db, "op", "ngan")
    set_password(db, "op", "mat-khau-moi-1")
    assert verify_user(db, "op", "mat-khau-moi-1") and not verify_user(db, "op", "mot-hai-ba-bon")


def _pdf(pages: int) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def test_document_pdf_merges_page_pdfs_in_order_behind_login(db_path, client):
    db = open_index(db_path)
    db["pages"].update("pa1", {"pdf": _pdf(1)})
    db["pages"].update("pa2", {"pdf": _pdf(1)})
    db.conn.close()
    assert client.get("/documents/doc-a/pdf").status_code == 302  # login first
    _login(client)
    assert "/documents/doc-a/pdf" in client.get("/documents/doc-a").text
    resp = client.get("/documents/doc-a/pdf")
    assert resp.mimetype == "application/pdf"
    from pypdf import PdfReader

    assert len(PdfReader(io.BytesIO(resp.data)).pages) == 2
    assert client.get("/documents/doc-b/pdf").status_code == 404  # imported text: no PDF


def test_a_locked_password_change_says_how_long_the_lockout_has_left(auth, db_path):
    import time

    from hub.panel import throttle

    db = open_index(db_path)
    for _ in range(throttle.USER_LIMIT):  # locked ten minutes ago: five of its fifteen are left
        throttle.failed(db, "canbo1", "10.9.9.9", now=time.time() - 600)
    db.conn.close()
    page = auth.get("/account").text
    r = auth.post("/account/password", data={"current": PASSWORD, "new": "mua-thu-ha-noi-7",
                                             "again": "mua-thu-ha-noi-7", "csrf_token": _token(page)},
                  follow_redirects=True)
    assert "Hãy thử lại sau khoảng 5 phút" in r.text
    assert verify_user(open_index(db_path), "canbo1", PASSWORD)  # the password stays as it was
