"""A kiosk whose disk fills: new scans are refused with a clear message, nothing it has is lost."""
from __future__ import annotations

from edge.agent import Agent
from edge.exceptions import DiskFull
from tests.conftest import wait_for
from tests.faults.harness import page_png


def test_full_disk_refuses_new_scans_and_keeps_what_the_kiosk_has(tmp_path, edge_config):
    hot = tmp_path / "scan-in"
    hot.mkdir()
    cfg = edge_config(scanner={"source": "hotfolder", "hotfolder": hot, "settle_s": 0.1})
    agent = Agent(cfg)
    # Already in the spool before the disk fills: a scanned page waiting for OCR.
    kept = agent.spool.start_batch(source="hotfolder:before")
    kept_page = agent.spool.add_page(batch_id=kept, idx=0, raw=b"page-before", source="x",
                                     dpi=150, scan_sha256="h")
    agent.spool.end_batch(kept)
    free = {"mb": 50.0}  # the spool's free-space seam: below its 200 MB margin
    agent.spool.free_mb = lambda: free["mb"]
    (hot / "scan-001.png").write_bytes(page_png(1, 0))
    agent._spawn("acquisition", agent._acquisition_loop)  # the hot-folder watcher alone
    try:
        wait_for(lambda: agent.screen.snapshot()["state"] == "disk_full", timeout=10,
                 what="the screen says the disk is full")
        snap = agent.screen.snapshot()
        assert snap["error_code"] == DiskFull.code and "sắp đầy" in snap["error_vi"]
        assert (hot / "scan-001.png").exists()  # not taken, not moved: the scanner's copy stays
        assert agent.spool.db["pages"].count == 1  # what it had is still there
        assert agent.spool.page_image(kept_page) == b"page-before"
        free["mb"] = 5000.0  # a technician made room
        wait_for(lambda: not (hot / "scan-001.png").exists(), timeout=10, what="the scan taken")
        wait_for(lambda: agent.spool.db["pages"].count == 2, timeout=10, what="the scan stored")
    finally:
        agent.stop_event.set()
        agent.supervisor.join(10)
        agent.spool.close()
