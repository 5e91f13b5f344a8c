"""The supervisor: a thread that raises is restarted; one that keeps dying ends the process."""
from __future__ import annotations

import os
import socket
import threading

import pytest

from edge.supervise import Supervisor, run_main_loop, sd_notify
from tests.conftest import wait_for


def test_a_thread_that_raises_is_logged_counted_and_restarted(caplog):
    stop = threading.Event()
    sup = Supervisor(stop, backoff_s=0.05)
    runs = []

    def loop() -> None:
        runs.append(1)
        if len(runs) == 1:
            raise KeyError("page-123")
        stop.wait()

    sup.spawn("page-worker-0", loop)
    wait_for(lambda: len(runs) == 2, timeout=5, what="restart")
    assert sup.restarts == 1 and sup.healthy() and not sup.down()
    fault = sup.faults()[0]
    assert fault["thread"] == "page-worker-0" and "KeyError" in fault["error"] and fault["at"]
    assert "Traceback" in caplog.text
    stop.set()
    sup.join(5)
    assert not sup.running()


def test_a_thread_that_keeps_dying_makes_the_main_loop_exit_non_zero():
    stop = threading.Event()
    sup = Supervisor(stop, backoff_s=0.01, give_up_deaths=3)

    def broken() -> None:
        raise OSError("disk gone")

    sup.spawn("assembler", broken)
    assert run_main_loop(stop, sup) == 1  # returns once the supervisor gives up
    assert not sup.healthy() and len(sup.faults()) == 3


def test_a_long_lived_loop_that_returns_counts_as_a_death():
    stop = threading.Event()
    sup = Supervisor(stop, backoff_s=0.01, give_up_deaths=2)
    sup.spawn("metrics", lambda: None)
    assert sup.failed.wait(5)
    sup.spawn("warm-up", lambda: None, once=True)  # a job meant to return does not
    # Once it has ended (were it counted as a death it would end only after giving up too).
    wait_for(lambda: "warm-up" not in sup.running(), timeout=5, what="the warm-up ended")
    assert len(sup.faults()) == 2 and all(f["thread"] == "metrics" for f in sup.faults())


def test_systemd_is_notified_ready_and_pinged_while_healthy(tmp_path, monkeypatch):
    path = tmp_path / "notify"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(str(path))
    server.settimeout(5)
    monkeypatch.setenv("NOTIFY_SOCKET", str(path))
    monkeypatch.setenv("WATCHDOG_USEC", "100000")  # WatchdogSec=0.1: a ping every 50 ms
    stop = threading.Event()
    sup = Supervisor(stop)
    hung = threading.Event()
    t = threading.Thread(target=run_main_loop, args=(stop, sup, lambda: hung.wait()))
    t.start()
    try:
        assert server.recv(64) == b"READY=1"
        server.settimeout(0.3)
        with pytest.raises(TimeoutError):  # the check hangs (a stuck lock): no ping
            server.recv(64)
        server.settimeout(5)
        hung.set()  # the check returns: pings flow
        assert server.recv(64) == b"WATCHDOG=1"
    finally:
        hung.set()
        stop.set()
        t.join(5)
        server.close()
    monkeypatch.delenv("NOTIFY_SOCKET")
    assert sd_notify("READY=1") is False  # not under systemd: nothing to do
    assert os.environ.get("NOTIFY_SOCKET") is None
