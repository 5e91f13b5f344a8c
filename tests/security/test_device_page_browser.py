"""The kiosk page in a real browser: a restart asks first, a bad setting is named, disk in GB."""
from __future__ import annotations

import sqlite3
import threading

import pytest
from werkzeug.serving import make_server

from hub.index import open_index
from hub.panel import create_app
from hub.panel.users import create_user
from tests.conftest import screenshot


@pytest.mark.slow
def test_restart_asks_first_and_a_bad_setting_is_named(browser, tmp_path):  # noqa: ANN001
    path = tmp_path / "index.db"
    db = open_index(path)
    create_user(db, "canbo1", "mat-khau-dung-1", role="admin")  # only admins reconfigure kiosks
    db["devices"].insert({"device_id": "k01", "state": "online", "last_seen": "2030-01-01T00:00:00+00:00",
                          "disk_free_mb": 51_712.0})
    db.conn.close()
    app = create_app({"TESTING": True, "DATABASE": str(path), "SECRET_KEY": "k"})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    page = browser.new_page()
    try:
        page.goto(f"{base}/login")
        page.fill("input[name=username]", "canbo1")
        page.fill("input[name=password]", "mat-khau-dung-1")
        page.click("button[type=submit], form button")
        page.goto(f"{base}/devices/k01")
        assert page.inner_text("#disk-free") == "50,5 GB"
        page.fill("input[name=scanner_dpi]", "5000")
        page.click("form.stack button")
        assert "«Độ phân giải quét (dpi)»: cần một số nguyên từ 50 đến 1.200." in page.inner_text("main")
        page.click("button[value=restart]")
        assert "Khởi động lại phần mềm trên thiết bị k01?" in page.inner_text(".confirm")
        screenshot(page, "devices-restart-confirm")
        with sqlite3.connect(path) as c:
            assert c.execute("select count(*) from device_commands").fetchone()[0] == 0
        page.click(".confirm button")
        with sqlite3.connect(path) as c:
            assert c.execute("select action from device_commands").fetchall() == [("restart",)]
    finally:
        page.close()
        server.shutdown()
