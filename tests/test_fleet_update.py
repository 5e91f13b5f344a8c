"""Fleet updates with rollback, against the real broker, ingester, panel and agent.

The kiosk starts on the base install (release A), is updated by the hub to release B (a
canary), which confirms its health; then to B', which fails at start-up, and goes back to B by
itself. The service manager is played by ``Service`` below: the unit's ExecStartPre (the update
guard, run from the last healthy release) before every start of the agent, and a restart
whenever it exits (``Restart=always``). Every page fed reaches the index exactly once.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from edge import update
from hub.fleet import releases
from hub.index.db import open_index
from tests.conftest import wait_for
from tests.faults.harness import (
    assert_every_page_exactly_once,
    drop_batches,
    start_ingester,
    wait_indexed,
    wait_outbox_empty,
    write_edge_toml,
)
from tests.test_enrollment import Panel

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]


def build_release(tmp: Path, version: str, *, broken: bool = False) -> Path:
    """A wheel of this checkout as release ``version`` (``broken``: its agent fails to start)."""
    src = tmp / f"src-{version}"
    for part in ("edge", "hub", "samplegen"):
        shutil.copytree(REPO / part, src / part, ignore=shutil.ignore_patterns("__pycache__"))
    text = (REPO / "pyproject.toml").read_text().replace('version = "0.1.0"', f'version = "{version}"')
    (src / "pyproject.toml").write_text(text)
    (src / "edge" / "BUILD").write_text(f"test-{version}\n")
    if broken:
        agent = src / "edge" / "agent.py"
        marker = "        requeued = self.spool.requeue_interrupted()\n"
        assert marker in agent.read_text()
        agent.write_text(agent.read_text().replace(
            marker, '        raise RuntimeError("this release is broken on purpose")\n' + marker, 1))
    out = tmp / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "-w", str(out), str(src)], check=True, timeout=300, capture_output=True)
    return out / f"donthu-{version}-py3-none-any.whl"


class Service:
    """systemd for one unit: ExecStartPre = the update guard, Restart=always."""

    def __init__(self, config: Path, root: Path, workdir: Path, log: Path) -> None:
        self.config, self.root, self.workdir, self.log = config, root, workdir, log
        self.stop = threading.Event()
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _env(self, link: str) -> dict[str, str]:
        env = {**os.environ, "OMP_THREAD_LIMIT": "1", "PYTHONUNBUFFERED": "1",
               "PYTHONPATH": str(self.root / link)}  # as the unit sets it; absent = base install
        env.pop("DONTHU_EDGE_MQTT_PORT", None)
        return env

    def _run(self) -> None:
        while not self.stop.is_set():
            with open(self.log, "ab") as out:
                subprocess.run([sys.executable, "-m", "edge", "--config", str(self.config), "update-guard"],
                               cwd=self.workdir, env=self._env("stable"), stdout=out, stderr=subprocess.STDOUT,
                               timeout=60)
                self.starts += 1
                self.proc = subprocess.Popen([sys.executable, "-m", "edge", "--config", str(self.config), "run"],
                                             cwd=self.workdir, env=self._env("current"), stdout=out,
                                             stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
                self.proc.wait()
            self.stop.wait(1.0)  # RestartSec

    def start(self) -> None:
        self.thread.start()

    def shutdown(self) -> None:
        self.stop.set()
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.thread.join(timeout=30)


def test_an_update_applies_and_a_bad_release_rolls_back_by_itself(tmp_path, broker):
    wheel_b = build_release(tmp_path, "0.1.1")
    wheel_bad = build_release(tmp_path, "0.1.2", broken=True)
    index = tmp_path / "index.db"
    db = open_index(index)
    panel = Panel(index)
    ingester = start_ingester(broker, index)
    folder = tmp_path / "releases"
    for wheel in (wheel_b, wheel_bad):
        releases.add_release(db, wheel, releases_dir=folder, by="test")
    workdir = tmp_path / "edge"
    hot = tmp_path / "scan-in"
    hot.mkdir()
    config = write_edge_toml(tmp_path / "edge.toml", broker=broker, data_dir=workdir, hotfolder=hot)
    config.write_text(config.read_text() + "\n[update]\nhealth_timeout_s = 120\nmax_attempts = 2\n")
    root = workdir / "software"
    service = Service(config, root, tmp_path, tmp_path / "agent.log")
    fed: list[str] = []

    def software() -> dict:
        return releases.device_software(db, "k01")

    def tail() -> str:
        log = tmp_path / "agent.log"
        return log.read_text(errors="replace")[-4000:] if log.exists() else ""

    try:
        workdir.mkdir()
        service.start()
        wait_for(lambda: software().get("version") == "0.1.0", timeout=120, what=f"release A online\n{tail()}")
        fed += drop_batches(hot, 0, 2)

        # A -> B on one canary: applied, healthy, reported.
        started = time.monotonic()
        with pytest.raises(releases.ReleaseError):  # no canary has proved it yet
            releases.deploy(db, "0.1.1", ["k01"], hub_url=panel.url, by="test")
        releases.deploy(db, "0.1.1", [], hub_url=panel.url, by="test", canary="k01")
        wait_for(lambda: software().get("version") == "0.1.1"
                 and str(software().get("update", "")).startswith("confirmed"),
                 timeout=240, what=f"release B confirmed\n{tail()}")
        update_s = time.monotonic() - started
        assert update.running(root) == "0.1.1" and update.running(root, "stable") == "0.1.1"
        fed += drop_batches(hot, 2, 2)

        # B -> B', which cannot start: back on B by itself, with the reason.
        started = time.monotonic()
        releases.deploy(db, "0.1.2", ["k01"], hub_url=panel.url, by="test", force=True)
        wait_for(lambda: str(software().get("update", "")).startswith("rolled_back 0.1.2"),
                 timeout=300, what=f"release B' rolled back\n{tail()}")
        rollback_s = time.monotonic() - started
        assert software()["version"] == "0.1.1" and update.running(root) == "0.1.1"
        wait_for(lambda: db.execute("select answered_at from device_commands where action = 'update' "
                                    "and detail like 'rolled_back%'").fetchone(), timeout=60,
                 what="the rollback answered to the update command")
        answer = db.execute("select ok, detail from device_commands where detail like 'rolled_back%'").fetchone()
        assert answer[0] == 0 and "did not become healthy" in answer[1]
        fed += drop_batches(hot, 4, 2)
        # Nothing lost from the spool across three releases and two restarts.
        wait_indexed(index, docs=len(fed), pages=2 * len(fed), timeout=180)
        wait_outbox_empty(workdir / "spool.db", timeout=60)  # the hub's ack of what it committed
        assert_every_page_exactly_once(index, workdir / "spool.db", batches=fed, pages_per_batch=2)
        print(f"update A->B {update_s:.1f} s, rollback B'->B {rollback_s:.1f} s, starts {service.starts}")
    finally:
        service.shutdown()
        ingester.stop()
        panel.stop()
