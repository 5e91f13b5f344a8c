"""A Tesseract that dies while the kiosk reads a batch costs that page one retry: a new Tesseract
reads it, the rest of the batch goes on, and nothing is lost (fault injected at the engine seam)."""
from __future__ import annotations

import sqlite3
import sys

from edge.ocr import tesseract
from tests.conftest import wait_for
from tests.faults.harness import drop_batches


def test_tesseract_killed_mid_batch_costs_one_retry_and_loses_nothing(broker, edge_config, tmp_path,
                                                                        monkeypatch):
    from edge.agent import Agent

    # The first engine started says it is ready, then dies (SIGKILL) at its first page; every
    # later one is the real engine.
    died = tmp_path / "engine-died"
    fake = tmp_path / "engine"
    real = " ".join([sys.executable, "-I", "-S", str(tesseract.ENGINE_SCRIPT)])
    fake.write_text(f"""#!/bin/sh
if [ ! -e {died} ]; then
  touch {died}
  echo '{{"ready": true}}'
  read request
  kill -KILL $$
fi
exec {real} "$1"
""")
    fake.chmod(0o755)
    monkeypatch.setattr(tesseract, "ENGINES", tesseract._Engines())
    monkeypatch.setattr(tesseract, "engine_command", lambda lang: [str(fake), lang])
    hot = tmp_path / "in"
    hot.mkdir()
    cfg = edge_config(broker, scanner={"source": "hotfolder", "hotfolder": hot, "settle_s": 0.2})
    agent = Agent(cfg)
    agent.start()
    try:
        drop_batches(hot, 0, 2, pages=2)
        spool = cfg.device.data_dir / "spool.db"

        def pages() -> list[tuple[str, int, str | None]]:
            with sqlite3.connect(spool, timeout=30) as db:
                return db.execute("select state, attempts, error_code from pages").fetchall()

        wait_for(lambda: len(pages()) == 4 and all(s == "done" for s, _, _ in pages()), timeout=120,
                 what="every page read")
        assert died.exists()
        assert sorted(a for _, a, _ in pages()) == [1, 1, 1, 2]  # one page read twice
        assert not any(code for _, _, code in pages())  # and read well the second time

        def documents() -> int:
            with sqlite3.connect(spool, timeout=30) as db:
                return db.execute("select count(*) from documents").fetchone()[0]

        wait_for(lambda: documents() == 2, timeout=60, what="both documents")
    finally:
        agent.stop()
        tesseract.ENGINES.close()
