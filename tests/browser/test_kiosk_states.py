"""The kiosk screen's fault states in a real browser: broker unreachable and scanner missing are red,
with what to do, never inside the green box; the Quét button comes back after a failed scan."""
from __future__ import annotations

import pytest

from edge.agent import Agent
from edge.kiosk import serve_in_thread
from tests.conftest import screenshot, wait_for

pytestmark = pytest.mark.slow


def test_offline_and_scanner_missing_are_red_and_the_button_comes_back(browser, edge_config):
    # No broker listens on port 1; the SANE device named does not exist (fault at the seam).
    cfg = edge_config(None, scanner={"source": "sane", "device": "test:no-such-scanner",
                                     "page_timeout_s": 10.0})
    agent = Agent(cfg)
    agent.start()
    server = serve_in_thread(agent)
    token = (cfg.device.data_dir / "kiosk-token").read_text().strip()
    ctx = browser.new_context(viewport={"width": 800, "height": 480}, locale="vi-VN")
    try:
        page = ctx.new_page()
        page.goto(f"http://127.0.0.1:{server.port}/?token={token}")
        page.wait_for_selector(".alert")
        assert "Kiểm tra cáp mạng" in page.inner_text("#alerts")
        assert page.locator("#scan").is_visible() and page.locator("#scan").is_enabled()
        page.click("#scan")
        wait_for(lambda: agent.screen.snapshot()["state"] == "error", timeout=60, what="the scanner error")
        page.wait_for_function("document.querySelectorAll('.alert').length >= 2", timeout=10_000)
        alerts = page.inner_text("#alerts")
        assert "Kiểm tra máy quét đã bật và cắm cáp" in alerts
        assert page.locator(".okbox").count() == 0  # no error text in a green box
        page.wait_for_function("!document.getElementById('scan').disabled", timeout=10_000)
        screenshot(page, "kiosk-800x480-offline-scanner-down")
        assert page.evaluate("document.documentElement.scrollHeight <= window.innerHeight")
    finally:
        ctx.close()
        server.shutdown()
        agent.stop()
