"""The appliance at run time: acquisition → spool → page workers → documents → outbox → uplink.

Threads, each with one job:
- acquisition: pages from the SANE scanner (when staff press "scan") or the hot folder,
  written to the spool the moment they arrive;
- page workers (one per core): claim a spooled page, run the pipeline, store the result;
- assembler: a fully processed batch becomes documents whose messages enter the outbox;
- uplink (its own module): drains the outbox on PUBACK; metrics every few seconds;
- kiosk screen: a small local web page for the staff.
Scanning never waits on OCR: pages wait in the spool, and the backlog is shown.
"""
from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from edge import scanner
from edge.config import EdgeConfig
from edge.documents import build_document, split_documents
from edge.exceptions import DiskFull, EdgeError, ScannerError
from edge.outbox.spool import Spool
from edge.pipeline import PageFailed, PipelineContext, process_page
from edge.uplink.mqtt import BrokerSettings, Uplink
from edge.wire import MetricsMessage, new_id, now_iso

log = logging.getLogger(__name__)


@dataclass
class ScreenState:
    """What the kiosk screen shows; written by the agent's threads, read by the web page."""

    state: str = "ready"  # ready | scanning | feeder_empty | error | disk_full
    batch_id: str = ""
    page_no: int = 0
    error_code: str = ""
    error_vi: str = ""
    scan_requested: bool = False
    recent_verdicts: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def update(self, **values: Any) -> None:
        """Set some fields under the lock."""
        with self.lock:
            for k, v in values.items():
                setattr(self, k, v)

    def snapshot(self) -> dict[str, Any]:
        """A copy for the screen."""
        with self.lock:
            data = {k: v for k, v in self.__dict__.items() if k != "lock"}
            data["recent_verdicts"] = list(self.recent_verdicts)
            return data


def pipeline_context(cfg: EdgeConfig) -> PipelineContext:
    """The frozen page context from the appliance config."""
    return PipelineContext(
        lang=cfg.ocr.lang, psm=cfg.ocr.psm, ocr_timeout_s=cfg.ocr.timeout_s, dpi=cfg.scanner.dpi,
        min_skew_confidence=cfg.imaging.min_skew_confidence,
        max_skew_degrees=cfg.imaging.max_skew_degrees, low_ocr_confidence=cfg.ocr.low_confidence,
    )


class Agent:
    """Everything the appliance runs, started and stopped together."""

    def __init__(self, cfg: EdgeConfig) -> None:
        self.cfg = cfg
        self.ctx = pipeline_context(cfg)
        self.boot_id = new_id()
        self.started = time.monotonic()
        self.spool = Spool(cfg.spool_path)
        self.screen = ScreenState()
        self.stop_event = threading.Event()
        self._work = threading.Event()
        self._threads: list[threading.Thread] = []
        self.uplink = Uplink(
            device_id=cfg.device.id,
            settings=BrokerSettings(
                host=cfg.mqtt.host, port=cfg.mqtt.port, username=cfg.mqtt.username,
                password=cfg.mqtt.password, keepalive_s=cfg.mqtt.keepalive_s, tls=cfg.mqtt.tls,
                ca_file=str(cfg.mqtt.ca_file) if cfg.mqtt.ca_file else None,
                cert_file=str(cfg.mqtt.cert_file) if cfg.mqtt.cert_file else None,
                key_file=str(cfg.mqtt.key_file) if cfg.mqtt.key_file else None,
                max_inflight=cfg.mqtt.max_inflight,
            ),
            spool=self.spool, boot_id=self.boot_id, on_verdict=self._on_verdict,
        )
        self.hotfolder = (scanner.HotFolder(cfg.scanner.hotfolder, settle_s=cfg.scanner.settle_s,
                                            default_dpi=cfg.scanner.dpi)
                          if cfg.scanner.source == "hotfolder" else None)

    # -- life cycle ----------------------------------------------------------------------------
    def start(self) -> None:
        """Start every thread; pages left half-processed by a crash are queued again."""
        requeued = self.spool.requeue_interrupted()
        if requeued:
            log.info("requeued %d page(s) interrupted by the last shutdown", requeued)
        self.uplink.start()
        self._spawn("acquisition", self._acquisition_loop)
        for i in range(self.cfg.ocr_workers):
            self._spawn(f"page-worker-{i}", self._worker_loop)
        self._spawn("assembler", self._assembler_loop)
        self._spawn("metrics", self._metrics_loop)
        self._work.set()

    def stop(self) -> None:
        """Stop the threads (pages in progress go back to the queue at the next start)."""
        self.stop_event.set()
        self._work.set()
        for t in self._threads:
            t.join(timeout=10)
        self.uplink.stop()
        self.spool.close()

    def request_scan(self) -> None:
        """Staff pressed 'scan' on the kiosk screen."""
        self.screen.update(scan_requested=True)

    def _spawn(self, name: str, target: Any) -> None:
        t = threading.Thread(target=target, name=name, daemon=True)
        t.start()
        self._threads.append(t)

    # -- acquisition ---------------------------------------------------------------------------
    def _acquisition_loop(self) -> None:
        while not self.stop_event.is_set():
            try:
                if self.hotfolder is not None:
                    self._poll_hotfolder()
                elif self.screen.scan_requested:
                    self.screen.update(scan_requested=False)
                    self._scan_sane()
            except DiskFull as e:
                log.error("%s", e)
                self.screen.update(state="disk_full", error_code=e.code, error_vi=e.message_vi)
            except Exception as e:  # never let acquisition die; the screen says what happened
                log.exception("acquisition error")
                err = e if isinstance(e, EdgeError) else ScannerError(str(e))
                self.screen.update(state="error", error_code=err.code, error_vi=err.message_vi)
            self.stop_event.wait(0.5)

    def _poll_hotfolder(self) -> None:
        assert self.hotfolder is not None
        for batch in self.hotfolder.ready():
            self.spool.check_space()
            pages = self.hotfolder.pages(batch)
            batch_id = self.spool.start_batch(source=f"hotfolder:{batch.name}")
            self.screen.update(state="scanning", batch_id=batch_id, page_no=0, error_code="",
                               error_vi="")
            for page in pages:
                self._store(batch_id, page)
            self.spool.end_batch(batch_id)
            self.hotfolder.done(batch)
            self.screen.update(state="ready")
            self._work.set()

    def _scan_sane(self) -> None:
        self.spool.check_space()
        batch_id = self.spool.start_batch(source=f"sane:{self.cfg.scanner.device or 'auto'}")
        self.screen.update(state="scanning", batch_id=batch_id, page_no=0, error_code="", error_vi="")
        try:
            for page in scanner.scan_batch(
                device=self.cfg.scanner.device, dpi=self.cfg.scanner.dpi, mode=self.cfg.scanner.mode,
                adf=self.cfg.scanner.adf, sane_config_dir=self.cfg.scanner.sane_config_dir,
                page_timeout_s=self.cfg.scanner.page_timeout_s,
            ):
                self._store(batch_id, page)
                self.spool.check_space()
        except ScannerError as e:
            # Pages scanned before the fault are in the spool and will be processed.
            log.error("scanner stopped the batch: %s", e)
            self.spool.end_batch(batch_id, error_code=e.code, error=e.detail)
            self.screen.update(state="error", error_code=e.code, error_vi=e.message_vi)
            self._work.set()
            return
        self.spool.end_batch(batch_id)
        self.screen.update(state="feeder_empty")
        self._work.set()

    def _store(self, batch_id: str, page: scanner.AcquiredPage) -> None:
        self.spool.add_page(batch_id=batch_id, idx=page.index, raw=page.image, source=page.source,
                            dpi=page.dpi, scan_sha256=hashlib.sha256(page.image).hexdigest())
        self.screen.update(page_no=page.index + 1)
        self._work.set()

    # -- page workers --------------------------------------------------------------------------
    def _worker_loop(self) -> None:
        while not self.stop_event.is_set():
            row = self.spool.claim_page()
            if row is None:
                self._work.wait(1.0)
                self._work.clear()
                continue
            try:
                result = process_page(row["raw"], source=row["source"], ctx=self.ctx)
            except Exception as e:  # a bug or a library crash fails this page, not the worker
                log.exception("page %s: unexpected error", row["page_id"])
                result = PageFailed(row["source"], "", "internal_error", repr(e)[:300],
                                    EdgeError.message_vi, {})
            if isinstance(result, PageFailed):
                log.warning("page %s failed: %s %s", row["page_id"], result.code, result.detail)
                final = self.spool.page_failed(row["page_id"], attempts=row["attempts"],
                                               code=result.code, detail=result.detail)
                if not final:
                    continue
            else:
                self.spool.page_done(
                    row["page_id"],
                    result={"text": result.text, "skew_degrees": result.skew_degrees,
                            "skew_confidence": result.skew_confidence,
                            "ocr_confidence": result.ocr_confidence, "words": result.words,
                            "flags": list(result.flags), "width": result.width,
                            "height": result.height, "timings_ms": result.timings_ms},
                    archive=result.archive, mime=result.archive_mime,
                    archive_sha256=result.archive_sha256,
                )
            self._work.set()

    # -- documents -----------------------------------------------------------------------------
    def _assembler_loop(self) -> None:
        while not self.stop_event.is_set():
            try:
                for batch in self.spool.batches_ready():
                    rows = self.spool.batch_pages(batch["batch_id"])
                    built = [build_document(device_id=self.cfg.device.id, batch_id=batch["batch_id"],
                                            scanned_at=batch["started_at"], rows=group,
                                            meta={"source": batch["source"]})
                             for group in split_documents(rows)]
                    self.spool.finish_batch(batch["batch_id"], documents=[
                        (b.doc_id, len(b.page_ids), b.messages) for b in built])
                    log.info("batch %s: %d document(s) queued", batch["batch_id"], len(built))
            except Exception:  # keep assembling; the batch stays 'scanned' and is retried
                log.exception("assembler error")
                self.stop_event.wait(5)
            self.stop_event.wait(0.5)

    def _on_verdict(self, verdict: dict[str, Any]) -> None:
        with self.screen.lock:
            self.screen.recent_verdicts = ([verdict] + self.screen.recent_verdicts)[:10]

    # -- metrics -------------------------------------------------------------------------------
    def metrics(self) -> MetricsMessage:
        """Current health figures."""
        stats = self.spool.stats()
        snap = self.screen.snapshot()
        return MetricsMessage(
            msg_id=new_id(), device_id=self.cfg.device.id, sent_at=now_iso(),
            uptime_s=round(time.monotonic() - self.started, 1), outbox_depth=stats["outbox_depth"],
            pages_today=stats["pages_today"], ocr_backlog=stats["ocr_backlog"],
            scanner_state=snap["state"], last_error=snap["error_code"] or self.uplink.last_error,
            disk_free_mb=round(self.spool.free_mb(), 1),
        )

    def _metrics_loop(self) -> None:
        self.uplink.wait_connected(10)
        while not self.stop_event.is_set():
            try:
                self.uplink.publish_metrics(self.metrics())
            except Exception:
                log.exception("metrics")
            self.stop_event.wait(self.cfg.mqtt.metrics_interval_s)
