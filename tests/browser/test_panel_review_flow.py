"""The operator panel in a real browser (Debian's Chromium): find a petition by a name typed
without accents, review a matter of three copies in one action, resolve its case, see a later
copy flagged as a re-submission, export the list. Screenshots at 1366×768."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from werkzeug.serving import make_server

from edge.fingerprint import fingerprint
from edge.fingerprint.identity import identity_keys
from hub.dedup import match_document
from hub.index import open_index
from hub.index.documents import NewDocument, insert_document
from hub.panel import create_app
from hub.panel.users import create_user
from tests.conftest import screenshot

pytestmark = pytest.mark.slow

PASSWORD = "mat-khau-dung-1"
LETTER = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nĐƠN KHIẾU NẠI\n"
          "Kính gửi: Ủy ban nhân dân quận Đống Đa\nTôi tên là: Phạm Văn Đức\n"
          "Số CCCD: 001085012345\nSố điện thoại: 0987 654 321\n"
          "Tôi khiếu nại Quyết định số 1187/QĐ-UBND ngày 03/04/2025 về việc thu hồi thửa đất số 52, "
          "tờ bản đồ số 9 tại ngõ 15 phố Tôn Đức Thắng. Gia đình tôi đã sử dụng ổn định từ năm 1992, "
          "tiền bồi thường 350.000.000 đồng thấp hơn nhiều so với giá thị trường, chưa tính công trình "
          "phụ và cây trồng trên đất. Đề nghị xem xét lại phương án bồi thường cho gia đình tôi.\n")
OTHER = ("ĐƠN KIẾN NGHỊ\nKính gửi: UBND phường Văn Miếu\nTôi tên là: Hoàng Thị Lan\n"
         "Đèn chiếu sáng ngõ 8 phố Quốc Tử Giám hỏng từ tháng 9, đề nghị sửa chữa để đảm bảo an toàn.\n")
PREFIXES = ("", "Tôi gửi lại đơn lần 2.\n", "Kính gửi lại lần 3, đề nghị trả lời.\n", "Lần 4: tôi vẫn chưa nhận được trả lời.\n")


def _add(db, n: int, text: str, name: str) -> str:
    doc_id = f"{n:02d}" + "e" * 30
    with db.conn:
        insert_document(db, NewDocument(doc_id=doc_id, source="kiosk", device_id="k01", text=text,
                                        fingerprint=fingerprint(text), identity_keys=identity_keys(text),
                                        page_count=1))
        match_document(db, doc_id)
        db.execute("update documents set reference = ? where doc_id = ?", [f"K01-081226-{n:04d}", doc_id])
        db["document_fields"].insert({"doc_id": doc_id, "name": name, "kind": "khiếu nại" if n < 9 else "kiến nghị",
                                      "source": "ocr"}, replace=True)
    return doc_id


@pytest.fixture
def panel(tmp_path) -> Iterator[tuple[str, object]]:
    db = open_index(tmp_path / "index.db")
    for n in range(1, 4):
        _add(db, n, PREFIXES[n - 1] + LETTER, "Phạm Văn Đức")
    _add(db, 9, OTHER, "Hoàng Thị Lan")
    create_user(db, "canbo1", PASSWORD, display_name="Cán bộ Trung tâm")
    app = create_app({"DATABASE": str(tmp_path / "index.db"), "SECRET_KEY": "browser-test"})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", db
    finally:
        server.shutdown()
        thread.join(timeout=10)
        db.conn.close()


def test_operator_finds_reviews_resolves_and_sees_a_resubmission(browser, panel, tmp_path):
    base, db = panel
    context = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True,
                                  locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=username]", "canbo1")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    assert page.locator("nav >> text=Đơn trùng").inner_text().endswith("1")  # one matter pending

    # A name typed without accents finds the letters, the name highlighted as written.
    page.goto(f"{base}/search")
    page.fill("input[name=q]", "pham van duc")
    page.press("input[name=q]", "Enter")
    page.wait_for_selector("ol.results")
    assert "3 kết quả" in page.inner_text("main")
    assert page.locator("mark", has_text="Phạm Văn Đức").count() >= 1
    screenshot(page, "panel-search")

    page.goto(f"{base}/documents")
    listed = page.inner_text("main")  # every letter, each by its writer (the three copies too)
    assert "Trang 1/1 · 4 đơn" in listed and listed.count("Phạm Văn Đức") == 3 and "Hoàng Thị Lan" in listed
    screenshot(page, "panel-documents")

    # The three copies are one item; x confirms them all.
    page.goto(f"{base}/duplicates")
    screenshot(page, "panel-duplicates")
    page.click("text=Xem xét →")
    page.wait_for_selector("ol.members")
    assert page.locator("li.member").count() == 3
    screenshot(page, "panel-review-group")
    page.keyboard.press("x")
    page.wait_for_selector("text=Đã xác nhận 3 đơn là một vụ việc")
    assert db.execute("select count(*) from duplicate_pairs where decision = 'confirmed'").fetchone()[0] == 3
    case_ref = db.execute("select case_ref from documents where reference = 'K01-081226-0001'").fetchone()[0]
    assert case_ref.startswith("HS-")

    # Resolve the whole matter on its case page; the date field appears only for "resolved".
    page.goto(f"{base}/documents/K01-081226-0001")
    page.click(f"a:text('{case_ref}')")
    assert not page.is_visible("input[name=resolved_on]")
    page.select_option("select[name=status]", "resolved")
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    page.fill("input[name=resolved_on]", yesterday)
    page.click("text=Lưu")
    page.wait_for_selector("text=Đã cập nhật tình trạng hồ sơ và 3 đơn")
    screenshot(page, "panel-case")
    assert {s for (s,) in db.execute("select status from documents where case_ref = ?", [case_ref])} == {"resolved"}

    # A fourth copy arrives: flagged as a re-submission in the list and on its page.
    _add(db, 4, PREFIXES[3] + LETTER, "Phạm Văn Đức")
    page.goto(f"{base}/documents?resub=1")
    assert "K01-081226-0004" in page.inner_text("main") and "K01-081226-0001" not in page.inner_text("main")
    assert page.locator(".badge-resub").count() == 1
    screenshot(page, "panel-resubmissions")
    page.click("a:text('K01-081226-0004')")
    assert "Gửi lại vụ việc đã giải quyết" in page.inner_text("main")
    screenshot(page, "panel-document")

    # The pair page: images column (none here), text side by side, reasons in words.
    page.goto(f"{base}/duplicates?show=confirmed")
    page.click("text=So sánh >> nth=0")
    page.wait_for_selector(".compare")
    assert "Cùng số CCCD 001085012345" in page.inner_text("main")
    screenshot(page, "panel-pair")

    # Export the list as CSV and as Excel.
    page.goto(f"{base}/documents")
    for fmt, link in (("csv", "Tải CSV"), ("xlsx", "Tải Excel")):
        with page.expect_download() as dl:
            page.click(f"text={link}")
        path = tmp_path / f"export.{fmt}"
        dl.value.save_as(path)
        assert path.stat().st_size > 100
    assert "Phạm Văn Đức" in (tmp_path / "export.csv").read_text(encoding="utf-8-sig")
    context.close()
