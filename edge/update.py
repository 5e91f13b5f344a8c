"""Fleet updates that roll back by themselves (A/B, as Mender and RAUC do it, for Python code).

Layout under the updates root (``[update] root``, by default ``<data_dir>/software``, writable
under the unit's ``ProtectSystem=strict``)::

    releases/<version>/   a release installed side by side (``pip install --target``, no deps:
                          the libraries stay those of /opt/donthu/.venv)
    current -> releases/<version>   what the service runs (the unit's PYTHONPATH)
    stable  -> releases/<version>   the last release that proved healthy (the guard runs from it)
    update.json           the state machine below

1. ``stage``: download the wheel from the hub, check its sha256 and size, install it into
   ``releases/<version>``; the running release is untouched. State ``staged``.
2. ``switch``: when the agent is idle (no batch in progress, nothing waiting for OCR), point
   ``current`` at it and restart. State ``switched`` with a deadline.
3. ``guard`` (the unit's ``ExecStartPre``, run from ``stable``): at every start while
   ``switched``, count the attempt; after ``max_attempts`` starts or past the deadline without
   a confirmation, point ``current`` back at the previous release. State ``rolled_back``
   with the reason.
4. ``confirm``: the new release's agent, once healthy (connected and its status sent, a
   test page through the pipeline), marks it ``confirmed`` and points ``stable`` at it.

Spool and outbox stay where they are and are read by the new release (spool migrations are
forward-only). The state is reported in every status message (``software["update"]``) and
as the answer to the update command.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from edge.exceptions import EdgeError

log = logging.getLogger(__name__)

STATE_FILE = "update.json"
DOWNLOAD_TIMEOUT_S = 120.0
INSTALL_TIMEOUT_S = 600.0


class UpdateError(EdgeError):
    code = "update_failed"
    exit_code = 8
    message_vi = "Không cập nhật được phần mềm."


@dataclass(frozen=True)
class UpdateState:
    """Where an update stands; ``previous`` is the release to go back to ("" = the base install)."""

    state: str  # staged | switched | confirmed | rolled_back | failed
    version: str
    previous: str = ""
    command_id: str = ""
    attempts: int = 0
    deadline: str = ""
    reason: str = ""
    at: str = ""

    def summary(self) -> str:
        """One line for the status message, e.g. ``rolled_back 0.2.0: did not become healthy``."""
        text = f"{self.state} {self.version}" + (f": {self.reason}" if self.reason else "")
        return text[:80]


def _now() -> datetime:
    return datetime.now(UTC)


def read_state(root: Path) -> UpdateState | None:
    """The update state, or None when no update was ever started (or the file is unreadable)."""
    try:
        data = json.loads((root / STATE_FILE).read_text(encoding="utf-8"))
        return UpdateState(**{k: data[k] for k in data if k in UpdateState.__dataclass_fields__})
    except (OSError, ValueError, TypeError):
        return None


def write_state(root: Path, state: UpdateState) -> None:
    """Replace the state file atomically."""
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".{STATE_FILE}.tmp"
    tmp.write_text(json.dumps(asdict(replace(state, at=_now().isoformat(timespec="seconds")))),
                   encoding="utf-8")
    os.replace(tmp, root / STATE_FILE)


def _point(root: Path, name: str, version: str) -> None:
    """Atomically point ``root/name`` at ``releases/<version>`` (or remove it for "")."""
    link = root / name
    if not version:
        link.unlink(missing_ok=True)
        return
    tmp = root / f".{name}.tmp"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(Path("releases") / version)
    os.replace(tmp, link)


def running(root: Path, name: str = "current") -> str:
    """The version ``root/name`` points at ("" when it points nowhere)."""
    link = root / name
    return os.readlink(link).rsplit("/", 1)[-1] if link.is_symlink() else ""


def stage(root: Path, *, version: str, url: str, sha256: str, size: int, command_id: str = "",
          python: str = sys.executable) -> UpdateState:
    """Download, check and install release ``version`` beside the running one."""
    target = root / "releases" / version
    if not target.is_dir():
        with tempfile.TemporaryDirectory(dir=root.parent if root.parent.exists() else None) as tmp:
            wheel = Path(tmp) / url.rsplit("/", 1)[-1].split("?")[0]
            if not wheel.name.endswith(".whl"):
                wheel = Path(tmp) / f"donthu-{version}-py3-none-any.whl"
            _download(url, wheel, sha256=sha256, size=size)
            (root / "releases").mkdir(parents=True, exist_ok=True)
            partial = root / "releases" / f".{version}.partial"
            shutil.rmtree(partial, ignore_errors=True)
            try:
                proc = subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                                       "--no-compile", "--target", str(partial), str(wheel)],
                                      capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S, check=False)
            except (subprocess.TimeoutExpired, OSError) as e:
                raise UpdateError(f"installing release {version} failed: {e}") from e
            if proc.returncode != 0:
                shutil.rmtree(partial, ignore_errors=True)
                raise UpdateError(f"installing release {version} failed: {proc.stderr.strip()[-300:]}")
            os.replace(partial, target)
    state = UpdateState("staged", version, previous=running(root), command_id=command_id)
    write_state(root, state)
    log.info("release %s staged", version)
    return state


def _download(url: str, dest: Path, *, sha256: str, size: int) -> None:
    digest = hashlib.sha256()
    got = 0
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as resp, dest.open("wb") as out:  # noqa: S310
            while chunk := resp.read(1 << 16):
                got += len(chunk)
                if got > size:
                    raise UpdateError(f"release download is larger than the {size} bytes announced")
                digest.update(chunk)
                out.write(chunk)
    except (OSError, ValueError) as e:
        raise UpdateError(f"cannot download the release: {e}") from e
    if got != size or digest.hexdigest() != sha256:
        raise UpdateError("the downloaded release does not match its sha256: refused")


def switch(root: Path, *, health_timeout_s: float) -> UpdateState:
    """Point ``current`` at the staged release (the caller then restarts the service)."""
    state = read_state(root)
    if state is None or state.state != "staged":
        raise UpdateError("no staged release to switch to")
    deadline = (_now() + timedelta(seconds=health_timeout_s)).isoformat(timespec="seconds")
    state = replace(state, state="switched", attempts=0, deadline=deadline)
    write_state(root, state)
    _point(root, "current", state.version)
    log.info("switched to release %s (previous %s)", state.version, state.previous or "base install")
    return state


def guard(root: Path, *, max_attempts: int) -> UpdateState | None:
    """At every service start: roll back a switched release that did not prove healthy in time."""
    state = read_state(root)
    if state is None or state.state != "switched":
        return state
    attempts = state.attempts + 1
    reason = ""
    if attempts > max_attempts:
        reason = f"did not become healthy in {max_attempts} start(s)"
    elif state.deadline and _now().isoformat(timespec="seconds") > state.deadline:
        reason = "did not become healthy before its deadline"
    if not reason:
        state = replace(state, attempts=attempts)
        write_state(root, state)
        return state
    _point(root, "current", state.previous)
    state = replace(state, state="rolled_back", attempts=attempts, reason=reason)
    write_state(root, state)
    log.error("release %s rolled back to %s: %s", state.version, state.previous or "base install", reason)
    return state


def confirm(root: Path, *, version: str) -> UpdateState | None:
    """The running release ``version`` is healthy: keep it (``stable``) and say so."""
    state = read_state(root)
    if state is None or state.state != "switched" or state.version != version:
        return None
    _point(root, "stable", version)
    state = replace(state, state="confirmed", reason="")
    write_state(root, state)
    log.info("release %s confirmed healthy", version)
    return state


def fail(root: Path, state: UpdateState, reason: str) -> UpdateState:
    """Record an update that could not be staged (nothing was switched)."""
    failed = replace(state, state="failed", reason=reason[:60])
    write_state(root, failed)
    return failed


class Updater:
    """The agent's side of updates: one thread stages, waits for idle, switches and restarts;
    after a restart into a switched release it confirms health or lets the guard roll back.

    The agent passes what it knows as callables, so this stays testable without an agent.
    """

    def __init__(self, *, root: Path, version: str, health_timeout_s: float, is_idle, healthy,  # noqa: ANN001
                 answer, report, restart, stop_event) -> None:  # noqa: ANN001
        import queue

        self.root, self.version, self.health_timeout_s = root, version, health_timeout_s
        self.is_idle, self.healthy, self.answer, self.report = is_idle, healthy, answer, report
        self.restart, self.stop_event = restart, stop_event
        self.requests: queue.Queue[tuple[str, dict]] = queue.Queue()

    def summary(self) -> str:
        """The last update's state for the status message ("" when none)."""
        state = read_state(self.root)
        return state.summary() if state else ""

    def request(self, command_id: str, args: dict) -> None:
        """Queue an update command (from the uplink's thread)."""
        self.requests.put((command_id, args))

    def run(self) -> None:
        """Thread body: settle the last update, then carry out update commands one by one."""
        import queue

        self._settle()
        while not self.stop_event.is_set():
            try:
                command_id, args = self.requests.get(timeout=1.0)
            except queue.Empty:
                continue
            self._update(command_id, args)

    def _settle(self) -> None:
        state = read_state(self.root)
        if state is None:
            return
        if state.state == "switched" and state.version == self.version:
            deadline = datetime.fromisoformat(state.deadline) if state.deadline else _now()
            while not self.stop_event.is_set() and _now() < deadline:
                if self.healthy():
                    done = confirm(self.root, version=self.version)
                    if done:
                        self.report(done.summary())
                        self.answer(done.command_id, True, done.summary())
                    return
                self.stop_event.wait(2.0)
            if not self.stop_event.is_set():
                log.error("release %s not healthy before its deadline: restarting to roll back", self.version)
                self.restart()  # the guard rolls back at the next start
            return
        if state.state in ("rolled_back", "failed") and state.command_id:
            self.report(state.summary())
            self.answer(state.command_id, False, state.summary())
            write_state(self.root, replace(state, command_id=""))  # reported once

    def _update(self, command_id: str, args: dict) -> None:
        version = args["version"]
        if version == self.version:
            self.answer(command_id, True, f"already running {version}")
            return
        try:
            state = stage(self.root, version=version, url=args["url"], sha256=args["sha256"],
                          size=args["size"], command_id=command_id)
        except UpdateError as e:
            failed = fail(self.root, UpdateState("failed", version, command_id=""), e.detail)
            log.error("update to %s failed: %s", version, e.detail)
            self.report(failed.summary())
            self.answer(command_id, False, failed.summary())
            return
        self.report(state.summary())
        self.answer(command_id, True, state.summary())
        # Never in the middle of a batch: wait until nothing is being scanned or read.
        while not self.stop_event.is_set() and not self.is_idle():
            self.stop_event.wait(2.0)
        if self.stop_event.is_set():
            return  # staged; switched at the next update command or by hand
        switch(self.root, health_timeout_s=self.health_timeout_s)
        self.restart()
