"""Attack 9 (and the kiosk page of issue 19): values and ids that reach the panel.

Before: a kiosk-sent ``doc_id`` with a quote or CR/LF broke the PDF download's
``Content-Disposition`` (500) and forged a log line; the kiosk page accepted
``scanner_dpi=5000``, ``metrics_interval_s=0`` and ``nan`` (500) that the kiosk then refused,
said "Giá trị không hợp lệ." without naming the field, restarted a kiosk without asking, and
showed the disk in MB.
"""
from __future__ import annotations

import io
import re
import sqlite3

import pytest
from pypdf import PdfWriter

from hub.index import open_index
from hub.panel import create_app
from hub.panel.users import create_user


@pytest.fixture
def panel(tmp_path):  # noqa: ANN001
    path = tmp_path / "index.db"
    db = open_index(path)
    create_user(db, "canbo1", "mat-khau-dung-1", role="admin")  # only admins reconfigure kiosks
    db["devices"].insert({"device_id": "k01", "state": "online", "last_seen": "2030-01-01T00:00:00+00:00",
                          "disk_free_mb": 20480.0})
    db.conn.close()
    app = create_app({"TESTING": True, "DATABASE": str(path), "SECRET_KEY": "k"})
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"username": "canbo1", "password": "mat-khau-dung-1", "csrf_token": token})
    client.path = path
    return client


def _token(client) -> str:  # noqa: ANN001
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/devices/k01").text).group(1)


@pytest.mark.parametrize("field,value,named", [
    ("scanner_dpi", "5000", "«Độ phân giải quét (dpi)»: cần một số nguyên từ 50 đến 1.200."),
    ("scanner_dpi", "300.5", "«Độ phân giải quét (dpi)»: cần một số nguyên từ 50 đến 1.200."),
    ("metrics_interval_s", "0", "«Chu kỳ báo cáo (giây)»: cần một số từ 1 đến 3.600."),
    ("metrics_interval_s", "nan", "«Chu kỳ báo cáo (giây)»: cần một số từ 1 đến 3.600."),
    ("spool_retention_days", "inf", "«Giữ ảnh đã gửi (ngày)»: cần một số từ 0 đến 365."),
    ("spool_min_free_mb", "5", "«Dừng quét khi còn trống dưới (MB)»: cần một số từ 10 đến 1.000.000."),
    ("ocr_low_confidence", "abc", "«Ngưỡng độ tin cậy nhận dạng thấp»: cần một số từ 0 đến 100."),
])
def test_a_bad_setting_is_refused_with_its_field_named(panel, field, value, named):  # noqa: ANN001
    r = panel.post("/devices/k01/config", data={field: value, "csrf_token": _token(panel)},
                   follow_redirects=True)
    assert r.status_code == 200 and named in r.text
    with sqlite3.connect(panel.path) as c:
        assert c.execute("select count(*) from device_config").fetchone()[0] == 0


def test_the_saved_settings_are_shown_and_the_kiosk_would_apply_them(panel):  # noqa: ANN001
    from edge.wire import check_settings

    r = panel.post("/devices/k01/config", data={"scanner_dpi": "400", "metrics_interval_s": "7,5",
                                                 "csrf_token": _token(panel)}, follow_redirects=True)
    assert "phiên bản 1" in r.text
    saved = r.text[r.text.index('id="config-saved"'):]
    saved = saved[:saved.index("</dl>")]
    assert "400" in saved and "7,5" in saved and "mặc định" in saved
    with sqlite3.connect(panel.path) as c:
        import json

        stored = json.loads(c.execute("select settings from device_config").fetchone()[0])
    assert check_settings(stored) == {"scanner_dpi": 400, "metrics_interval_s": 7.5}  # the kiosk's check


@pytest.mark.parametrize("action", ["restart", "prune_spool"])
def test_restart_and_clean_up_ask_first(panel, action):  # noqa: ANN001
    r = panel.post("/devices/k01/command", data={"action": action, "csrf_token": _token(panel)})
    assert r.status_code == 302 and f"confirm={action}" in r.headers["Location"]
    with sqlite3.connect(panel.path) as c:
        assert c.execute("select count(*) from device_commands").fetchone()[0] == 0
    page = panel.get(r.headers["Location"]).text
    assert "thiết bị k01" in page and "Đồng ý" in page and 'name="confirmed" value="1"' in page
    panel.post("/devices/k01/command", data={"action": action, "confirmed": "1", "csrf_token": _token(panel)})
    with sqlite3.connect(panel.path) as c:
        assert c.execute("select action from device_commands").fetchall() == [(action,)]


def test_disk_is_shown_in_gb(panel):  # noqa: ANN001
    page = panel.get("/devices/k01").text
    assert re.search(r'id="disk-free">20,0 GB<', page)


def _pdf() -> bytes:
    w = PdfWriter()
    w.add_blank_page(100, 100)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def test_the_pdf_download_header_cannot_be_broken(panel):  # noqa: ANN001
    good, evil = "0123456789abcdef0123456789abcdef", 'x"; filename=evil.exe\r\nSet-Cookie: a=b'
    with sqlite3.connect(panel.path) as c:
        for doc_id in (good, evil):  # the evil one as an older hub might have stored it
            c.execute("insert into documents (doc_id, source, device_id, page_count, text, text_fold) "
                      "values (?, 'kiosk', 'k01', 1, 'x', 'x')", [doc_id])
            c.execute("insert into pages (page_id, doc_id, idx, pdf) values (?, ?, 0, ?)",
                      [doc_id + "-p", doc_id, _pdf()])
    r = panel.get(f"/documents/{good}/pdf")
    assert r.status_code == 200
    assert r.headers["Content-Disposition"] == (
        "attachment; filename=\"don-thu-0123456789ab.pdf\"; filename*=UTF-8''don-thu-0123456789ab.pdf")
    from urllib.parse import quote

    r = panel.get(f"/documents/{quote(evil, safe='')}/pdf")
    assert r.status_code == 404 and "a=b" not in str(r.headers) and "evil.exe" not in str(r.headers)
