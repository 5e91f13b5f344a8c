"""Shared fixtures: a real Mosquitto on a free loopback port with the project's own config,
an edge config pointing at it, temporary spools and indexes."""
from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.broker import Broker, start_broker

os.environ.setdefault("OMP_THREAD_LIMIT", "1")



@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium under Playwright (one per test session); see ``tests/browser.py``."""
    from tests.browser import chromium

    with chromium() as b:
        yield b


def screenshot(page: object, name: str) -> Path:
    """Save a full-page screenshot of ``page`` as a test artefact; return its path."""
    from tests.browser import artifacts_dir

    path = artifacts_dir() / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path


PASSWORDS = {"hub": "hub-secret-1", "k01": "k01-secret-1", "k02": "k02-secret-1"}


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    """Mosquitto with users hub, k01, k02 (passwords in PASSWORDS)."""
    b = start_broker(tmp_path / "broker", users=dict(PASSWORDS))
    yield b
    b.stop()


@pytest.fixture
def edge_config(tmp_path: Path) -> Callable[..., object]:
    """Build an EdgeConfig for device k01 against ``broker`` (keyword overrides per section)."""
    from dataclasses import replace

    from edge.config import load_config

    def make(broker: Broker | None = None, device_id: str = "k01", **sections: dict) -> object:
        cfg = load_config(env={})
        cfg = replace(
            cfg,
            device=replace(cfg.device, id=device_id, name=f"Kiosk {device_id}",
                           data_dir=tmp_path / f"edge-{device_id}"),
            mqtt=replace(cfg.mqtt, host="127.0.0.1", port=broker.port if broker else 1,
                         username=device_id, password=PASSWORDS.get(device_id, ""),
                         metrics_interval_s=1.0),
            # The clerk's review is off unless a test is about it: documents go out at once.
            kiosk=replace(cfg.kiosk, port=0, review_fields=False),
        )
        for name, values in sections.items():
            cfg = replace(cfg, **{name: replace(getattr(cfg, name), **values)})
        return cfg

    return make


def wait_for(predicate: Callable[[], object], *, timeout: float, interval: float = 0.2,
             what: str = "condition") -> object:
    """Poll until ``predicate()`` is truthy; fail the test with ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)
