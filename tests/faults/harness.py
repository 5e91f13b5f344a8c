"""Fault-test harness: a kiosk agent as a subprocess fed through its hot folder, a hub
ingester in this process, a real Mosquitto — and the one check every fault test ends with."""
from __future__ import annotations

import io
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from PIL import Image, ImageDraw

from hub.config import MqttConfig
from hub.ingest.subscriber import Ingester
from tests.broker import Broker
from tests.conftest import PASSWORDS, wait_for

REPO = Path(__file__).resolve().parents[2]
AGENT_START_S = 60.0


def page_png(batch: int, page: int) -> bytes:
    """A small, quickly read page: a few lines of text, unique per batch and page."""
    img = Image.new("L", (900, 420), 255)
    draw = ImageDraw.Draw(img)
    for line in range(5):
        draw.text((40, 40 + line * 60), f"DON {batch:03d} TRANG {page} DONG {line} KIOSK TEST",
                  fill=0)
    out = io.BytesIO()
    img.save(out, format="PNG", dpi=(150, 150))
    return out.getvalue()


def drop_batches(hotfolder: Path, first: int, count: int, *, pages: int = 2) -> list[str]:
    """Write ``count`` batch folders (``pages`` pages each) atomically; return their names."""
    names = []
    for b in range(first, first + count):
        name = f"batch-{b:03d}"
        tmp = hotfolder / f".{name}.tmp"
        tmp.mkdir(parents=True)
        for p in range(pages):
            (tmp / f"p{p:02d}.png").write_bytes(page_png(b, p))
        tmp.rename(hotfolder / name)  # appears whole: the scanner finished writing it
        names.append(name)
    return names


def write_edge_toml(path: Path, *, broker: Broker, data_dir: Path, hotfolder: Path,
                    device_id: str = "k01") -> Path:
    """An edge config for the subprocess agent (hot folder, quick metrics, no kiosk screen)."""
    path.write_text(f"""\
[device]
id = "{device_id}"
data_dir = "{data_dir}"

[scanner]
source = "hotfolder"
hotfolder = "{hotfolder}"
settle_s = 0.3
dpi = 150

[ocr]
workers = 1
timeout_s = 60

[mqtt]
host = "127.0.0.1"
port = {broker.port}
username = "{device_id}"
password = "{PASSWORDS[device_id]}"
keepalive_s = 5
metrics_interval_s = 1

[kiosk]
enabled = false
""")
    return path


class AgentProcess:
    """``python -m edge --config X run`` as a child process that can be killed."""

    def __init__(self, config: Path, log: Path) -> None:
        self.config = config
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the agent; its output goes to ``log``."""
        env = {**os.environ, "OMP_THREAD_LIMIT": "1", "PYTHONUNBUFFERED": "1"}
        env.pop("DONTHU_EDGE_MQTT_PORT", None)
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "edge", "--config", str(self.config),
                                          "run"], cwd=REPO, env=env, stdout=out,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, no 'offline' status, transactions cut anywhere."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM and wait (then SIGKILL)."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def tail(self) -> str:
        """The end of the agent's log, for failure messages (never contains petition text)."""
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""


def start_ingester(broker: Broker, db_path: Path) -> Ingester:
    """The hub ingester with a persistent session (same client id across restarts)."""
    ing = Ingester(db_path=db_path, mqtt_cfg=MqttConfig(
        host="127.0.0.1", port=broker.port, username="hub", password=PASSWORDS["hub"],
        client_id="hub-faults", keepalive_s=5))
    ing.start()
    assert ing.connected.wait(10), "hub ingester did not connect"
    return ing


def index_counts(db_path: Path) -> tuple[int, int]:
    """(documents, pages with a verified image) in the city index."""
    if not db_path.exists():
        return 0, 0
    with sqlite3.connect(db_path, timeout=30) as c:
        try:
            docs = c.execute("select count(*) from documents").fetchone()[0]
            pages = c.execute("select count(*) from pages where image is not null "
                              "and image_sha256 = expected_sha256").fetchone()[0]
        except sqlite3.OperationalError:
            return 0, 0
    return docs, pages


def wait_indexed(db_path: Path, *, docs: int, pages: int, timeout: float,
                 agent: AgentProcess | None = None) -> None:
    """Wait until the index holds ``docs`` documents and ``pages`` verified page images."""
    def done() -> bool:
        got = index_counts(db_path)
        if agent is not None and agent.proc is not None and agent.proc.poll() is not None:
            raise AssertionError(f"agent exited with {agent.proc.returncode}:\n{agent.tail()}")
        return got[0] >= docs and got[1] >= pages
    try:
        wait_for(done, timeout=timeout, interval=0.3,
                 what=f"{docs} documents / {pages} pages in the index")
    except BaseException:
        if agent is not None:
            print(agent.tail())
        raise


def outbox_left(spool_path: Path) -> tuple[int, int]:
    """(outbox rows, of which sent to the broker but not confirmed by the hub) in a kiosk spool."""
    if not spool_path.exists():
        return 0, 0
    with sqlite3.connect(spool_path, timeout=30) as s:
        try:
            return s.execute("select count(*), count(sent_at) from outbox").fetchone()
        except sqlite3.OperationalError:
            return 0, 0


def wait_outbox_empty(spool_path: Path, *, timeout: float = 30.0) -> None:
    """Wait until the hub has confirmed everything the kiosk queued (its outbox is empty)."""
    wait_for(lambda: outbox_left(spool_path)[0] == 0, timeout=timeout, interval=0.3,
             what="the kiosk's outbox emptied by the hub's acks")


def assert_every_page_exactly_once(db_path: Path, spool_path: Path, *, batches: list[str],
                                   pages_per_batch: int) -> None:
    """Every scanned page is in the index exactly once, in one complete document per batch."""
    with sqlite3.connect(spool_path, timeout=30) as s:
        spool_pages = {r[0] for r in s.execute("select page_id from pages")}
        spool_docs = {r[0] for r in s.execute("select doc_id from documents")}
    with sqlite3.connect(db_path, timeout=30) as c:
        docs = c.execute("select doc_id, source_name, page_count, complete_at from documents "
                         "where source = 'kiosk'").fetchall()
        pages = c.execute("select page_id, doc_id, image is not null, image_sha256, expected_sha256 "
                          "from pages").fetchall()
    names = sorted(d[1].split(":")[-1] for d in docs)
    assert names == sorted(batches), f"documents per batch: {names} != {sorted(batches)}"
    assert len(spool_pages) == len(batches) * pages_per_batch, "pages scanned twice or lost at the kiosk"
    assert {p[0] for p in pages} == spool_pages, "index pages differ from the pages scanned"
    assert len(pages) == len(spool_pages)  # page_id is the key: none twice
    assert all(p[2] and p[3] == p[4] for p in pages), "a page image is missing or does not match"
    assert {d[0] for d in docs} == spool_docs
    assert outbox_left(spool_path)[0] == 0, "messages left in the kiosk's outbox"
    assert all(d[3] for d in docs) and all(d[2] == pages_per_batch for d in docs), "incomplete document"
