"""Long-lived threads under one small supervisor, and systemd's notify/watchdog protocol.

A thread that raises is logged with its traceback, counted, and started again after a
pause that doubles with each death (``BACKOFF_S`` … ``BACKOFF_MAX_S``). One that dies
``GIVE_UP_DEATHS`` times within ``GIVE_UP_WINDOW_S`` is not restarted: the supervisor
reports it (``failed``) and the process's main loop exits non-zero, so systemd
(``Restart=always``) starts the whole process again — a thread that keeps dying usually
means state only a fresh process clears. A hang is the watchdog's job: the main loop
calls :func:`notify_watchdog` only while :meth:`Supervisor.healthy` holds, and systemd
kills a process that stops calling it for ``WatchdogSec``.

Used by the kiosk agent and by the hub ingester alike.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

log = logging.getLogger(__name__)

# First pause before a restart, doubled per death: a bug that fails at once does not spin
# the CPU, and a passing fault (a locked file, a full disk) has time to clear.
BACKOFF_S = 1.0
BACKOFF_MAX_S = 30.0
# Five deaths in ten minutes: the backoff alone spans 1+2+4+8 s, so this is a thread that
# fails again within seconds of every restart — a product decision to let systemd restart
# the process rather than limp on without the thread.
GIVE_UP_DEATHS = 5
GIVE_UP_WINDOW_S = 600.0
# Faults kept for the status screen (newest first).
FAULTS_KEPT = 10


@dataclass
class _Supervised:
    name: str
    target: Callable[[], None]
    thread: threading.Thread | None = None
    deaths: list[float] = field(default_factory=list)  # monotonic times, within the window
    down: bool = False  # dead and waiting for its restart (or given up)


class Supervisor:
    """Starts named threads, restarts those that raise, and says when to give up."""

    def __init__(self, stop: threading.Event, *, backoff_s: float = BACKOFF_S,
                 backoff_max_s: float = BACKOFF_MAX_S, give_up_deaths: int = GIVE_UP_DEATHS,
                 give_up_window_s: float = GIVE_UP_WINDOW_S) -> None:
        self.stop = stop
        self.backoff_s, self.backoff_max_s = backoff_s, backoff_max_s
        self.give_up_deaths, self.give_up_window_s = give_up_deaths, give_up_window_s
        self.failed = threading.Event()  # a thread gave up: the process should exit non-zero
        self.restarts = 0
        self._faults: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._threads: dict[str, _Supervised] = {}

    def spawn(self, name: str, target: Callable[[], None], *, once: bool = False) -> None:
        """Run ``target`` in a thread named ``name``; restart it when it raises.

        A long-lived loop returning while the process is not stopping counts as a death too;
        ``once`` marks a job that is meant to return (a warm-up).
        """
        entry = _Supervised(name, target)
        with self._lock:
            self._threads[name] = entry
        entry.thread = threading.Thread(target=self._run, args=(entry, once), name=name, daemon=True)
        entry.thread.start()

    def _run(self, entry: _Supervised, once: bool) -> None:
        while not self.stop.is_set():
            try:
                entry.target()
                if once or self.stop.is_set():
                    return
                raise RuntimeError(f"thread {entry.name} returned while the process runs")
            except Exception as e:  # noqa: BLE001 — the whole point: log, count, restart
                if self.stop.is_set():
                    return
                pause = self._died(entry, e)
                if pause is None:
                    return
                if self.stop.wait(pause):
                    return
                with self._lock:
                    entry.down = False
                    self.restarts += 1
                log.warning("thread %s restarted", entry.name)

    def _died(self, entry: _Supervised, error: Exception) -> float | None:
        """Record a death; return the pause before the restart, or None to give up."""
        now = time.monotonic()
        tb = traceback.format_exception(type(error), error, error.__traceback__)
        log.error("thread %s died: %s", entry.name, "".join(tb).rstrip())
        with self._lock:
            entry.deaths = [t for t in entry.deaths if now - t < self.give_up_window_s] + [now]
            entry.down = True
            # English only: exception type and message, never a page's content (our own
            # errors carry codes and ids; a library's rarely more than a path).
            text = f"{type(error).__name__}: {error}"[:300]
            self._faults = ([{"thread": entry.name, "error": text,
                              "at": datetime.now(UTC).isoformat(timespec="seconds")}]
                            + self._faults)[:FAULTS_KEPT]
            if len(entry.deaths) >= self.give_up_deaths:
                log.critical("thread %s died %d times in %.0f s; giving up so that the service "
                             "manager restarts the process", entry.name, len(entry.deaths),
                             self.give_up_window_s)
                self.failed.set()
                return None
            return min(self.backoff_s * 2 ** (len(entry.deaths) - 1), self.backoff_max_s)

    # -- what the status screen and metrics read ---------------------------------------------
    def faults(self) -> list[dict[str, str]]:
        """Recent thread deaths, newest first: ``{"thread", "error", "at"}``."""
        with self._lock:
            return [dict(f) for f in self._faults]

    def down(self) -> list[str]:
        """Names of threads that are dead right now (waiting for a restart, or given up)."""
        with self._lock:
            return [e.name for e in self._threads.values() if e.down]

    def running(self) -> list[str]:
        """Names of threads still running (not yet ended after a stop)."""
        with self._lock:
            return [e.name for e in self._threads.values() if e.thread and e.thread.is_alive()]

    def healthy(self) -> bool:
        """No thread gave up (one that died waits for its restart: still healthy)."""
        return not self.failed.is_set()

    def join(self, timeout_s: float) -> None:
        """Wait (in total at most ``timeout_s``) for the threads to end after ``stop`` is set."""
        deadline = time.monotonic() + timeout_s
        with self._lock:
            threads = [e.thread for e in self._threads.values() if e.thread is not None]
        for t in threads:
            t.join(timeout=max(0.0, deadline - time.monotonic()))


# -- systemd's notify protocol (sd_notify(3)), without a dependency ---------------------------
def sd_notify(state: str) -> bool:
    """Send ``state`` (``READY=1``, ``WATCHDOG=1``, ``STOPPING=1`` …) to systemd; False when
    not run by systemd with ``Type=notify`` (no ``$NOTIFY_SOCKET``)."""
    # The socket's address is systemd's protocol, handed to us in the environment (not
    # configuration: nothing to validate or override).
    address = os.environ.get("NOTIFY_SOCKET", "")
    if not address:
        return False
    if address.startswith("@"):  # abstract namespace
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.settimeout(1.0)
            sock.connect(address)
            sock.sendall(state.encode())
        return True
    except OSError as e:
        log.warning("could not notify systemd (%s): %s", state.split("=")[0], e)
        return False


def watchdog_interval_s(default: float = 5.0) -> float:
    """How often to ping systemd's watchdog: half of ``WatchdogSec`` (``$WATCHDOG_USEC``)."""
    try:
        usec = int(os.environ.get("WATCHDOG_USEC", "0"))
    except ValueError:
        usec = 0
    return usec / 2e6 if usec > 0 else default


def notify_watchdog() -> bool:
    """Tell systemd's watchdog the main loop is alive."""
    return sd_notify("WATCHDOG=1")


def run_main_loop(stop: threading.Event, supervisor: Supervisor,
                  check: Callable[[], None] = lambda: None) -> int:
    """The process's main loop: ``READY=1``, then ping the watchdog while healthy; return the
    exit code (0 on a requested stop, 1 when a thread gave up).

    ``check`` is called before every ping and should touch what a hang would block (the
    spool's lock, the index): if it hangs, the pings stop and systemd kills the process.
    """
    sd_notify("READY=1")
    interval = watchdog_interval_s()
    while not stop.is_set():
        if supervisor.failed.is_set():
            log.critical("a supervised thread gave up; exiting so that the service restarts")
            sd_notify("STOPPING=1")
            return 1
        try:
            check()
        except Exception:  # noqa: BLE001 — a failing check means unhealthy: no ping
            log.exception("health check before the watchdog ping failed")
        else:
            if supervisor.healthy():
                notify_watchdog()
        stop.wait(interval)
    sd_notify("STOPPING=1")
    return 0
