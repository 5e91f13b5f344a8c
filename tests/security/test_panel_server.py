"""``hub serve`` as deployed: a production WSGI server (waitress) on loopback, a real index,
and its log as an administrator reads it (issue 18, findings 5 and 8)."""
from __future__ import annotations

import http.cookiejar
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest

from hub.index import open_index
from hub.panel.users import create_user
from tests.broker import free_port

PASSWORD = "mat-khau-dung-1"


@pytest.fixture
def server(tmp_path):
    db_path = tmp_path / "index.db"
    db = open_index(db_path)
    create_user(db, "canbo1", PASSWORD, role="admin")
    db["devices"].insert({"device_id": "kiosk-01", "state": "online", "pages_today": 3})
    db.conn.close()
    port = free_port()
    env = {**os.environ, "DONTHU_HUB_HUB_DB": str(db_path), "DONTHU_HUB_PANEL_PORT": str(port)}
    log = (tmp_path / "panel.log").open("w+")
    proc = subprocess.Popen([sys.executable, "-m", "hub", "serve"], env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/login", timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("hub serve did not start: " + (tmp_path / "panel.log").read_text())
            time.sleep(0.2)
    yield base, tmp_path / "panel.log", db_path
    proc.terminate()
    proc.wait(timeout=30)
    log.close()


def test_served_by_waitress_with_headers_and_a_log_without_search_terms(server):
    base, log, db_path = server
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = browser.open(f"{base}/login", timeout=10)
    assert "werkzeug" not in page.headers.get("Server", "").lower()
    assert page.headers["X-Frame-Options"] == "DENY"
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.read().decode()).group(1)
    form = urllib.parse.urlencode({"username": "canbo1", "password": PASSWORD,
                                   "csrf_token": token}).encode()
    assert browser.open(f"{base}/login", data=form, timeout=10).status == 200
    r = browser.open(f"{base}/search?q=Nguy%E1%BB%85n+001099012345+0912345678", timeout=10)
    assert r.status == 200 and r.headers["Cache-Control"] == "no-store"
    assert open_index(db_path)["panel_sessions"].count == 1
    time.sleep(0.3)
    text = log.read_text()
    assert "GET /search 200" in text
    assert "001099012345" not in text and "0912345678" not in text and "q=" not in text


@pytest.mark.slow
def test_the_pages_work_in_a_browser_under_the_content_security_policy(server, browser):
    """A real Chromium: signing in, the fleet page's script, a kiosk's chart, the account page,
    and no CSP violation reported on any of them."""
    from tests.conftest import screenshot

    base, _, _ = server
    page = browser.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text)
            if "Content Security Policy" in m.text else None)
    page.goto(f"{base}/devices/kiosk-01")
    page.fill("input[name=username]", "canbo1")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/devices/kiosk-01")
    for path in ("/", "/documents", "/search", "/duplicates", "/account"):
        page.goto(f"{base}{path}")
        page.wait_for_load_state("networkidle")
    page.goto(f"{base}/")
    page.wait_for_load_state("networkidle")
    screenshot(page, "security-panel-fleet-under-csp")
    assert "kiosk-01" in page.content()
    assert not violations, violations
    page.close()
