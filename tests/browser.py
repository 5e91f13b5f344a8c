"""A real browser for the screens' tests: Debian's Chromium driven by Playwright.

Playwright's own browser download cannot work on a city machine without the internet;
Debian's ``chromium`` package is what the tests drive. Screenshots go to
``$DONTHU_ARTIFACTS`` (default ``var/test-artifacts/``) so CI keeps them.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def artifacts_dir() -> Path:
    """Where screenshots of a test run are kept."""
    path = Path(os.environ.get("DONTHU_ARTIFACTS", Path(__file__).resolve().parents[1] / "var" / "test-artifacts"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def chromium() -> Iterator[object]:
    """A Playwright ``Browser`` on Debian's Chromium (closed on exit)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
