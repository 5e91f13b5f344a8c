"""A seeded bad day at a ward office: real broker, real hub ingester, real kiosk agent.

Files arrive in the kiosk's hot folder the way network scanners write them (slowly, under
their final name; multi-page TIFFs; a corrupt image; a zero-byte file; one file copied
twice) while a schedule drawn from the seed SIGKILLs, SIGSTOPs and restarts the agent, the
broker (same persistence directory) and the hub ingester. Then everything is left to
recover, and the SQLite files are read: every fed page must be in the index exactly once
and nothing may be left in the kiosk's outbox.

``python -m tests.faults.chaos --seeds N --minutes M`` (``scripts/chaos.sh``) prints one
line per seed; ``tests/faults/test_chaos.py`` runs two short fixed seeds.
"""
from __future__ import annotations

import argparse
import io
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from tests.broker import Broker, start_broker
from tests.conftest import PASSWORDS
from tests.faults.harness import REPO, outbox_left, page_png, write_edge_toml

SETTLE_S = 1.0  # the hot folder's settle time in this run; slow writes pause less than this
ACK_TIMEOUT_S = 3.0  # the kiosk's first wait for the hub's ack (production: 60 s)


@dataclass
class ChaosResult:
    seed: int
    fed: int = 0  # pages written to the hot folder
    indexed_once: int = 0
    lost: int = 0
    duplicated: int = 0
    resent: int = 0  # outbox messages the kiosk published again
    left_in_outbox: int = 0
    faults: list[str] = field(default_factory=list)
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Every page once, nothing lost, nothing twice, nothing left behind."""
        return (self.lost == 0 and self.duplicated == 0 and self.left_in_outbox == 0
                and self.indexed_once == self.fed and not self.problems)

    def line(self) -> str:
        """The soak's one line per seed."""
        return (f"seed {self.seed}: fed {self.fed}, indexed {self.indexed_once} once, "
                f"lost {self.lost}, duplicated {self.duplicated} (re-sends {self.resent}, "
                f"faults {len(self.faults)}, {self.seconds:.0f} s)")


class Child:
    """A child process in its own session, so signals reach its helpers (OCR, broker link)."""

    def __init__(self, name: str, argv: list[str], log: Path) -> None:
        self.name, self.argv, self.log = name, argv, log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {**os.environ, "OMP_THREAD_LIMIT": "1", "PYTHONUNBUFFERED": "1"}
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(self.argv, cwd=REPO, env=env, stdout=out,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         start_new_session=True)

    def signal(self, sig: int) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        self.signal(signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        self.signal(signal.SIGCONT)
        self.signal(signal.SIGTERM)
        if self.proc is not None:
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.signal(signal.SIGKILL)  # helpers left in the session

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


# -- what is fed ---------------------------------------------------------------------------------
def _tiff(batch: int, pages: int) -> bytes:
    frames = [Image.open(io.BytesIO(page_png(batch, p))) for p in range(pages)]
    out = io.BytesIO()
    frames[0].save(out, format="TIFF", save_all=True, append_images=frames[1:], dpi=(150, 150))
    return out.getvalue()


def _slow_write(path: Path, data: bytes, rng: random.Random) -> None:
    """Write under the final name in a few chunks, pausing less than the settle time."""
    chunks = max(1, min(4, len(data) // 2000))
    step = -(-len(data) // chunks) if data else 0
    with open(path, "wb") as f:
        for k in range(chunks):
            f.write(data[k * step:(k + 1) * step])
            f.flush()
            time.sleep(rng.uniform(0.05, SETTLE_S / 3))


def feed_one(hot: Path, n: int, rng: random.Random) -> tuple[str, int]:
    """Write item ``n`` the way a scanner would; return (batch name, pages it holds)."""
    kind = ("folder", "png", "tiff", "png", "folder", "tiff", "corrupt", "empty", "twice")[
        rng.randrange(9) if n > 0 else 1]
    if kind == "folder":
        name, pages = f"batch-{n:03d}", 2
        (hot / name).mkdir()
        for p in range(pages):
            _slow_write(hot / name / f"p{p:02d}.png", page_png(n, p), rng)
    elif kind == "tiff":
        name, pages = f"multi-{n:03d}.tif", 3
        _slow_write(hot / name, _tiff(n, pages), rng)
    elif kind == "corrupt":
        name, pages = f"bad-{n:03d}.png", 1
        good = page_png(n, 0)
        _slow_write(hot / name, good[:64] + bytes(rng.randrange(256) for _ in range(3000)), rng)
    elif kind == "empty":
        name, pages = f"empty-{n:03d}.png", 1
        (hot / name).write_bytes(b"")
    elif kind == "twice":
        name, pages = f"twice-{n:03d}.png", 1
        data = page_png(n, 0)
        _slow_write(hot / name, data, rng)
        deadline = time.monotonic() + 4 * SETTLE_S
        while (hot / name).exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        _slow_write(hot / name, data, rng)  # the copy tool ran again
    else:
        name, pages = f"scan-{n:03d}.png", 1
        _slow_write(hot / name, page_png(n, 0), rng)
    return name, pages


# -- the run -------------------------------------------------------------------------------------
class Run:
    """One seed: the three processes, the feeder, the fault schedule, and the final count."""

    def __init__(self, seed: int, root: Path, *, chaos_s: float, drain_s: float) -> None:
        self.seed, self.root, self.chaos_s, self.drain_s = seed, root, chaos_s, drain_s
        self.rng = random.Random(seed)
        self.hot = root / "scan-in"
        self.hot.mkdir(parents=True)
        self.index = root / "hub" / "index.db"
        self.spool = root / "edge" / "spool.db"
        self.fed: dict[str, int] = {}
        self.result = ChaosResult(seed)
        self.broker: Broker = start_broker(root / "broker", users=dict(PASSWORDS))
        edge_toml = write_edge_toml(root / "edge.toml", broker=self.broker, data_dir=root / "edge",
                                    hotfolder=self.hot)
        text = edge_toml.read_text().replace("settle_s = 0.3", f"settle_s = {SETTLE_S}")
        edge_toml.write_text(text.replace("metrics_interval_s = 1",
                                          f"metrics_interval_s = 1\nack_timeout_s = {ACK_TIMEOUT_S}"))
        hub_toml = root / "hub.toml"
        hub_toml.write_text(f"""\
[hub]
db = "{self.index}"

[mqtt]
host = "127.0.0.1"
port = {self.broker.port}
username = "hub"
password = "{PASSWORDS['hub']}"
client_id = "hub-chaos"
keepalive_s = 5
""")
        self.agent = Child("agent", [sys.executable, "-m", "edge", "--config", str(edge_toml), "run"],
                           root / "agent.log")
        self.hub = Child("hub", [sys.executable, "-m", "hub", "--config", str(hub_toml), "ingest"],
                         root / "hub.log")

    # faults ----------------------------------------------------------------------------------
    def _schedule(self) -> dict[str, list[tuple[float, str, float]]]:
        """Per target, (at, action, how long) drawn from the seed; every target at least once."""
        rng, span = self.rng, self.chaos_s
        plan: dict[str, list[tuple[float, str, float]]] = {}
        choices = {"agent": [("kill", 0.5, 3.0), ("stop", 2.0, 6.0)],
                   "broker": [("kill", 0.5, 2.0), ("stop", 10.0, 10.0)],
                   "hub": [("kill", 10.0, 25.0), ("stop", 3.0, 10.0)]}
        for target, options in choices.items():
            events, t = [], rng.uniform(1.0, max(2.0, span / 4))
            first = True
            while t < span:
                action, low, high = options[0] if first else rng.choice(options)
                took = rng.uniform(low, high)
                if t + took > span and not first:
                    break
                events.append((t, action, took))
                t += took + rng.uniform(4.0, max(5.0, span / 2))
                first = False
            plan[target] = events
        return plan

    def _fault(self, target: str, action: str, took: float) -> None:
        self.result.faults.append(f"{target} {action} {took:.1f}s")
        if target == "broker":
            if action == "kill":
                self.broker.kill()
                time.sleep(took)
                self.broker.start()  # same config, same persistence directory
            else:
                proc = self.broker._proc
                assert proc is not None
                proc.send_signal(signal.SIGSTOP)
                time.sleep(took)
                proc.send_signal(signal.SIGCONT)
            return
        child = self.agent if target == "agent" else self.hub
        if action == "kill":
            child.kill()
            time.sleep(took)
            child.start()
        else:
            child.signal(signal.SIGSTOP)
            time.sleep(took)
            child.signal(signal.SIGCONT)

    def _run_target(self, target: str, events: list[tuple[float, str, float]], t0: float) -> None:
        for at, action, took in events:
            delay = t0 + at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self._fault(target, action, took)

    def _feed(self, t0: float, count: int) -> None:
        rng = random.Random(self.seed * 7919 + 1)  # its own stream: the schedule stays the same
        for n in range(1, count + 1):
            name, pages = feed_one(self.hot, n, rng)
            self.fed[name] = pages
            until = t0 + n * (0.7 * self.chaos_s / count)
            time.sleep(max(0.0, until - time.monotonic()))

    # the whole run -----------------------------------------------------------------------------
    def run(self) -> ChaosResult:
        began = time.monotonic()
        try:
            self.hub.start()
            self.agent.start()
            name, pages = feed_one(self.hot, 0, self.rng)  # warms both sides up
            self.fed[name] = pages
            self._wait(lambda: self._count()[0] >= 1, 90, "first document indexed")
            t0 = time.monotonic()
            plan = self._schedule()
            threads = [threading.Thread(target=self._run_target, args=(t, ev, t0), daemon=True)
                       for t, ev in plan.items()]
            feeder = threading.Thread(target=self._feed, args=(t0, max(4, int(self.chaos_s / 3))),
                                      daemon=True)
            for t in [*threads, feeder]:
                t.start()
            for t in [*threads, feeder]:
                t.join(timeout=self.chaos_s + 120)
            for child in (self.agent, self.hub):  # everything is back up for the recovery
                child.signal(signal.SIGCONT)
                if not child.alive():
                    child.start()
            self._wait(self._settled, self.drain_s, "every fed file indexed, outbox empty")
        except TimeoutError as e:
            self.result.problems.append(str(e))
        finally:
            self.agent.stop()
            self.hub.stop()
            self.broker.stop()
        self._check()
        self.result.seconds = time.monotonic() - began
        return self.result

    def _wait(self, done, timeout: float, what: str) -> None:  # noqa: ANN001
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if done():
                    return
            except sqlite3.Error:
                pass
            time.sleep(0.5)
        raise TimeoutError(f"seed {self.seed}: not reached within {timeout:.0f} s: {what}")

    def _count(self) -> tuple[int, int]:
        if not self.index.exists():
            return 0, 0
        with sqlite3.connect(self.index, timeout=30) as c:
            try:
                return c.execute("select count(*), count(complete_at) from documents").fetchone()
            except sqlite3.OperationalError:
                return 0, 0

    def _settled(self) -> bool:
        names = self._indexed_names()
        with sqlite3.connect(self.spool, timeout=30) as s:
            backlog = s.execute("select count(*) from pages where state in ('new', 'processing')"
                                ).fetchone()[0]
        return (all(names.get(n) for n in self.fed) and outbox_left(self.spool)[0] == 0
                and backlog == 0 and not any(self.hot.glob("[!.]*")))

    def _indexed_names(self) -> dict[str, list[tuple[int, int, bool]]]:
        """Batch name -> [(page_count, verified pages, complete)] of its documents in the index."""
        out: dict[str, list[tuple[int, int, bool]]] = {}
        if not self.index.exists():
            return out
        with sqlite3.connect(self.index, timeout=30) as c:
            for name, count, good, complete in c.execute(
                    "select d.source_name, d.page_count, (select count(*) from pages p where "
                    "p.doc_id = d.doc_id and p.image is not null and p.image_sha256 = "
                    "p.expected_sha256), d.complete_at is not null from documents d "
                    "where d.source = 'kiosk'"):
                out.setdefault(name.split(":", 1)[-1], []).append((count, good, bool(complete)))
        return out

    def _check(self) -> None:
        r = self.result
        r.fed = sum(self.fed.values())
        names = self._indexed_names()
        for name, pages in self.fed.items():
            docs = names.get(name, [])
            whole = [d for d in docs if d[0] == pages and d[1] == pages and d[2]]
            if not whole:
                r.lost += pages
                r.problems.append(f"{name}: {docs or 'not in the index'}")
                continue
            r.indexed_once += pages
            r.duplicated += sum(d[1] for d in docs) - pages
        r.duplicated += sum(sum(d[1] for d in docs) for n, docs in names.items() if n not in self.fed)
        r.left_in_outbox = outbox_left(self.spool)[0]
        log = self.agent.log.read_text(errors="replace") if self.agent.log.exists() else ""
        r.resent = sum(int(m) for m in re.findall(r"published (\d+) message\(s\) again", log))
        if "NotFoundError" in log or "died" in log:
            r.problems.append("a thread died in the agent (see agent.log)")


def run_seed(seed: int, *, root: Path, chaos_s: float, drain_s: float = 90.0) -> ChaosResult:
    """One seeded run under ``root`` (which must not exist yet)."""
    return Run(seed, root, chaos_s=chaos_s, drain_s=drain_s).run()


def main(argv: list[str] | None = None) -> int:
    """The soak: ``--seeds N --minutes M``; exit 1 if any seed lost or duplicated a page."""
    p = argparse.ArgumentParser(prog="python -m tests.faults.chaos", description=__doc__.split("\n")[0])
    p.add_argument("--seeds", type=int, default=3, help="how many seeds (1, 2, ... N)")
    p.add_argument("--first-seed", type=int, default=1)
    p.add_argument("--minutes", type=float, default=2.0, help="chaos phase per seed")
    p.add_argument("--keep", type=Path, help="keep each run's files under this directory")
    args = p.parse_args(argv)
    failed = 0
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        base = args.keep or Path(tempfile.mkdtemp(prefix="donthu-chaos-"))
        res = run_seed(seed, root=base / f"seed-{seed}", chaos_s=args.minutes * 60,
                       drain_s=max(90.0, args.minutes * 30))
        print(res.line(), flush=True)
        print(f"  faults: {', '.join(res.faults)}", flush=True)
        for problem in res.problems:
            print(f"  {problem}", flush=True)
        failed += not res.ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
