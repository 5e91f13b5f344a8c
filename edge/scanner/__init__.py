"""Page acquisition: a SANE scanner (pyinsane2, in a worker process) or a scan-to-folder hot folder."""
from __future__ import annotations

from edge.scanner.hotfolder import HotBatch, HotFolder
from edge.scanner.page import AcquiredPage
from edge.scanner.sane import ProbeResult, probe, scan_batch

__all__ = ["AcquiredPage", "HotBatch", "HotFolder", "ProbeResult", "probe", "scan_batch"]
