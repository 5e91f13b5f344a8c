"""The appliance at run time: acquisition → spool → page workers → documents → outbox → uplink.

Threads, each with one job:
- acquisition: pages from the SANE scanner (when staff press "scan") or the hot folder,
  written to the spool the moment they arrive;
- page workers (one per core): claim a spooled page, run the pipeline, store the result;
- assembler: a fully processed batch becomes documents whose messages enter the outbox;
- uplink (its own module): drains the outbox on PUBACK; metrics every few seconds;
- kiosk screen: a small local web page for the staff.
Scanning never waits on OCR: pages wait in the spool, and the backlog is shown.
Every thread runs under one supervisor (``edge.supervise``): one that raises is logged,
counted and restarted, and the screen says so while it is down; one that keeps dying makes
the process exit non-zero so that systemd starts it again.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import signal
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import cv2
import numpy as np

from edge import inventory, memory, ocr, scanner, update
from edge.batch import IMAGED, PageScheduler
from edge.config import EdgeConfig
from edge.documents import assemble_batch
from edge.exceptions import DiskFull, EdgeError, ScannerError, ThreadFault
from edge.outbox.spool import Spool
from edge.pipeline import PageFailed, page_summary, pipeline_context, process_page, warm_up
from edge.review import ReviewDesk
from edge.supervise import Supervisor
from edge.uplink.health import board_temperature_c
from edge.uplink.mqtt import BrokerSettings, Uplink
from edge.wire import Command, CommandResult, DesiredConfig, MetricsMessage, new_id, now_iso

log = logging.getLogger(__name__)
# Commands carried out, remembered by id (a command published again is answered, not redone).
DONE_COMMANDS_KEPT = 100


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
    # Threads that died recently, newest first: {"thread", "error" (English), "at" (ISO)}.
    faults: list[dict[str, str]] = field(default_factory=list)
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
            data["faults"] = [dict(f) for f in self.faults]
            return data


class Agent:
    """Everything the appliance runs, started and stopped together."""

    def __init__(self, cfg: EdgeConfig) -> None:
        self.cfg = cfg
        self.ctx = pipeline_context(cfg)
        self.boot_id = new_id()
        self.started = time.monotonic()
        self.spool = Spool(cfg.spool_path, min_free_mb=cfg.device.spool_min_free_mb)
        self.metrics_interval_s = cfg.mqtt.metrics_interval_s
        self.retention_s = cfg.device.spool_retention_days * 86400
        self.config_version = 0
        self.config_error = ""
        self._metrics_now = threading.Event()
        self._control_lock = threading.Lock()
        self.screen = ScreenState()
        # Without a kiosk screen no clerk can check the fields: documents go out as read.
        self.review = ReviewDesk(enabled=cfg.kiosk.review_fields and cfg.kiosk.enabled,
                                 timeout_s=cfg.kiosk.review_timeout_s)
        self.stop_event = threading.Event()
        self._work = threading.Event()
        self.supervisor = Supervisor(self.stop_event)
        self.uplink = Uplink(
            device_id=cfg.device.id,
            settings=BrokerSettings(
                host=cfg.mqtt.host, port=cfg.mqtt.port, username=cfg.mqtt.username,
                password=cfg.mqtt.password, keepalive_s=cfg.mqtt.keepalive_s, tls=cfg.mqtt.tls,
                ca_file=str(cfg.mqtt.ca_file) if cfg.mqtt.ca_file else None,
                cert_file=str(cfg.mqtt.cert_file) if cfg.mqtt.cert_file else None,
                key_file=str(cfg.mqtt.key_file) if cfg.mqtt.key_file else None,
                max_inflight=cfg.mqtt.max_inflight, ack_timeout_s=cfg.mqtt.ack_timeout_s,
            ),
            spool=self.spool, boot_id=self.boot_id, on_verdict=self._on_verdict,
            on_control=self._on_control,
        )
        # The last desired config applied survives a restart (the broker re-sends it too).
        saved = self.spool.get_setting("desired_config")
        if saved:
            try:
                data = json.loads(saved)
                self._apply_settings(data["settings"])
                self.config_version = self.uplink.config_version = int(data["version"])
            except (ValueError, KeyError, TypeError) as e:
                log.warning("ignored the saved desired config: %s", e)
        self.updater = update.Updater(
            root=cfg.update_root, version=inventory.package_version(),
            health_timeout_s=cfg.update.health_timeout_s, is_idle=self._idle, healthy=self._healthy,
            answer=self._answer_id, report=self._report_update,
            restart=lambda: os.kill(os.getpid(), signal.SIGTERM), stop_event=self.stop_event)
        self.uplink.software = {**inventory.software(cfg.ocr.lang), "update": self.updater.summary()}
        self.hotfolder = (scanner.HotFolder(cfg.scanner.hotfolder, settle_s=cfg.scanner.settle_s,
                                            default_dpi=cfg.scanner.dpi)
                          if cfg.scanner.source == "hotfolder" else None)
        # Pages from the spool, imaged one ahead of the readers, the largest prepared one read first.
        self.pages = PageScheduler(self.spool.claim_page, lambda row: row.pop("raw"),
                                   source=lambda row: row["source"])

    # -- life cycle ----------------------------------------------------------------------------
    def start(self) -> None:
        """Start every thread; pages left half-processed by a crash are queued again."""
        requeued = self.spool.requeue_interrupted()
        if requeued:
            log.info("requeued %d page(s) interrupted by the last shutdown", requeued)
        closed = self.spool.close_interrupted_batches()
        if closed:
            log.info("closed %d scanner batch(es) interrupted by the last shutdown", closed)
        self.uplink.start(spawn=self._spawn)
        # The imaging kernels load while the scanner warms up, not when the first page waits.
        self._spawn("warm-up", self._warm_up, once=True)
        self._spawn("acquisition", self._acquisition_loop)
        for i in range(self.cfg.ocr_workers):
            self._spawn(f"page-worker-{i}", self._page_worker)
        self._spawn("assembler", self._assembler_loop)
        self._spawn("metrics", self._metrics_loop)
        self._spawn("updates", self.updater.run)
        self._spawn("fault-watch", self._fault_watch)
        self._work.set()

    def stop(self) -> None:
        """Stop the threads (pages in progress go back to the queue at the next start)."""
        self.stop_event.set()
        self._work.set()
        self._metrics_now.set()
        self.uplink.stop_sender()
        self.supervisor.join(timeout_s=15)
        self.uplink.stop()
        self.spool.close()

    def health_check(self) -> None:
        """What the main loop runs before each watchdog ping: a hung spool lock blocks it."""
        self.spool.stats()

    def request_scan(self) -> None:
        """Staff pressed 'scan' on the kiosk screen."""
        self.screen.update(scan_requested=True)

    def _spawn(self, name: str, target: Any, *, once: bool = False) -> None:
        self.supervisor.spawn(name, target, once=once)

    def _fault_watch(self) -> None:
        """Mirror the supervisor's faults on the screen: an error while a thread is down."""
        shown: list[str] = []
        while not self.stop_event.wait(0.5):
            down = self.supervisor.down()
            faults = self.supervisor.faults()
            with self.screen.lock:
                self.screen.faults = faults
                if down and not shown:
                    self.screen.state = "error"
                    self.screen.error_code = ThreadFault.code
                    self.screen.error_vi = ThreadFault.message_vi
                elif shown and not down and self.screen.error_code == ThreadFault.code:
                    self.screen.state, self.screen.error_code, self.screen.error_vi = "ready", "", ""
            if down != shown:
                self._metrics_now.set()
            shown = down

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
            key = hashlib.sha256(f"{batch.name}\0".encode() + b"".join(
                hashlib.sha256(p.image).digest() for p in pages)).hexdigest()
            if self.spool.batch_stored(key):  # a crash came between storing it and moving it
                self.hotfolder.done(batch)
                continue
            batch_id = self.spool.start_batch(source=f"hotfolder:{batch.name}", content_key=key)
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
    def _warm_up(self) -> None:
        # Each on its own: whichever fails, the first page pays for it; nothing else changes.
        try:
            ocr.prestart(self.ctx.lang, self.cfg.ocr_workers)
        except Exception:
            log.exception("starting the OCR engines ahead of the first page")
        try:
            log.info("page pipeline warmed up in %.2f s", warm_up(self.ctx))
        except Exception:
            log.exception("pipeline warm-up")

    def _page_worker(self) -> None:
        try:
            self._worker_loop()
        finally:  # a worker that dies holding a page gives it back to the queue
            if self.spool.release_claim():
                log.info("page given back to the queue by %s", threading.current_thread().name)

    def _worker_loop(self) -> None:
        # Every page worker steps the one page scheduler (edge.batch) that `edge process` and the
        # OCR bench run: one of them images the next spooled page while the others read.
        idle = False
        while not self.stop_event.is_set():
            try:
                out = self.pages.step(self.ctx)
            except Exception:  # the spool could not be read: try again shortly
                log.exception("page scheduler")
                self.stop_event.wait(1.0)
                continue
            if out is None:
                if not idle:  # the queue has just run empty: give back what the pages left free
                    memory.trim()
                    idle = True
                self._work.wait(1.0)
                self._work.clear()
                continue
            idle = False
            if out == IMAGED:
                continue
            row, result = out
            if isinstance(result, Exception):  # a bug or a library crash fails this page only
                log.error("page %s: unexpected error: %r", row["page_id"], result)
                result = PageFailed(row["source"], "", "internal_error", repr(result)[:300],
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
                    result={**page_summary(result), "word_boxes": result.word_boxes},
                    archive=result.archive, mime=result.archive_mime,
                    archive_sha256=result.archive_sha256, pdf=result.pdf,
                )
            self._work.set()

    # -- documents -----------------------------------------------------------------------------
    def _assembler_loop(self) -> None:
        while not self.stop_event.is_set():
            try:
                for batch in self.spool.batches_ready():
                    self._assemble(batch)
            except Exception:  # keep assembling; the batch stays 'scanned' and is retried
                log.exception("assembler error")
                self.stop_event.wait(5)
            self.stop_event.wait(0.5)

    def _assemble(self, batch: dict[str, Any]) -> None:
        # Fields, reference, the clerk's review and blank batches: edge.documents.assemble_batch.
        assemble_batch(batch, spool=self.spool, desk=self.review, device_id=self.cfg.device.id)

    def _on_verdict(self, verdict: dict[str, Any]) -> None:
        with self.screen.lock:
            self.screen.recent_verdicts = ([verdict] + self.screen.recent_verdicts)[:10]

    # -- metrics -------------------------------------------------------------------------------
    def metrics(self) -> MetricsMessage:
        """Current health figures."""
        stats = self.spool.stats()
        snap = self.screen.snapshot()
        scanner_error = snap["error_code"] if snap["state"] in ("error", "disk_full") else ""
        return MetricsMessage(
            msg_id=new_id(), device_id=self.cfg.device.id, sent_at=now_iso(),
            uptime_s=round(time.monotonic() - self.started, 1), outbox_depth=stats["outbox_depth"],
            pages_today=stats["pages_today"], ocr_backlog=stats["ocr_backlog"],
            scanner_state=snap["state"],
            last_error=snap["error_code"] or self.uplink.last_error or _last_fault(snap["faults"]),
            disk_free_mb=round(self.spool.free_mb(), 1), boot_id=self.boot_id,
            interval_s=self.metrics_interval_s, outbox_oldest_s=stats["outbox_oldest_s"],
            failed_pages=stats["failed_pages"], ocr_ms_per_page=stats["ocr_ms_per_page"],
            scanner_error=scanner_error, temperature_c=board_temperature_c(),
            config_version=self.config_version, config_error=self.config_error,
            outbox_sent=stats["sent"], outbox_delivered=stats["delivered"],
            oldest_undelivered_s=stats["oldest_undelivered_s"],
            thread_restarts=self.supervisor.restarts,
        )

    def _metrics_loop(self) -> None:
        self.uplink.wait_connected(10)
        next_prune = 0.0
        while not self.stop_event.is_set():
            try:
                self.uplink.publish_metrics(self.metrics())
            except Exception:
                log.exception("metrics")
            if time.monotonic() >= next_prune:  # retention: delivered pages older than the limit
                next_prune = time.monotonic() + 600
                try:
                    pruned = self.spool.prune(older_than_s=self.retention_s)
                    if pruned:
                        log.info("pruned %d delivered page(s) past retention", pruned)
                except Exception:
                    log.exception("spool prune")
            self._metrics_now.wait(self.metrics_interval_s)
            self._metrics_now.clear()

    # -- fleet control (desired config, commands) ------------------------------------------------
    def _apply_settings(self, settings: dict[str, Any]) -> None:
        """Apply desired settings live; raise ValueError naming a value out of range."""
        from edge.wire import check_settings  # the one validator the panel and hub use too

        settings = check_settings(settings)
        if "metrics_interval_s" in settings:
            self.metrics_interval_s = float(settings["metrics_interval_s"])
        if "spool_retention_days" in settings:
            self.retention_s = float(settings["spool_retention_days"]) * 86400
        if "spool_min_free_mb" in settings:
            self.spool.min_free_mb = float(settings["spool_min_free_mb"])
        if "ocr_low_confidence" in settings:
            self.ctx = replace(self.ctx, low_ocr_confidence=float(settings["ocr_low_confidence"]))
        if "scanner_dpi" in settings:
            dpi = int(settings["scanner_dpi"])
            self.cfg = replace(self.cfg, scanner=replace(self.cfg.scanner, dpi=dpi))
            self.ctx = replace(self.ctx, dpi=dpi)

    def _on_control(self, msg: DesiredConfig | Command) -> None:
        """A desired config or a command from the hub (uplink's sender thread)."""
        with self._control_lock:
            if isinstance(msg, DesiredConfig):
                self._on_desired_config(msg)
            else:
                self._on_command(msg)

    def _on_desired_config(self, msg: DesiredConfig) -> None:
        if msg.version == self.config_version and not self.config_error:
            return  # the retained copy, re-sent at every connect
        try:
            self._apply_settings(msg.settings)
        except (ValueError, KeyError) as e:
            self.config_error = f"version {msg.version}: {e}"
            log.error("desired config version %d not applied: %s", msg.version, e)
        else:
            self.config_error = ""
            self.spool.set_setting("desired_config", json.dumps(
                {"version": msg.version, "settings": msg.settings}))
            log.info("applied desired config version %d", msg.version)
        self.config_version = self.uplink.config_version = msg.version
        self.uplink.publish_status()
        self._metrics_now.set()

    def _on_command(self, msg: Command) -> None:
        if msg.expires_at and datetime.fromisoformat(msg.expires_at) < datetime.now(UTC):
            self._answer(msg, False, "expired")
            return
        # The hub may publish a command again (its broker link restarted before the PUBACK):
        # one that was carried out is answered, not done twice (a second restart, a second
        # pruning). Remembered in the spool, so a restart command stays done after the restart.
        done = json.loads(self.spool.get_setting("done_commands", "[]"))
        if msg.command_id in done:
            self._answer(msg, True, "already done")
            return
        self.spool.set_setting("done_commands", json.dumps([*done, msg.command_id][-DONE_COMMANDS_KEPT:]))
        log.info("command %s (%s)", msg.action, msg.command_id)
        if msg.action == "send_metrics":
            self._metrics_now.set()
            self._answer(msg, True, "")
        elif msg.action == "resend_outbox":
            self._answer(msg, True, f"{self.uplink.resend_all()} message(s) queued again")
        elif msg.action == "prune_spool":
            self._answer(msg, True, f"{self.spool.prune(older_than_s=0)} page(s) pruned")
        elif msg.action == "update":
            self.updater.request(msg.command_id, msg.args)
        elif msg.action == "restart":
            self._answer(msg, True, "restarting")
            # The service manager restarts us (Restart=always); SIGTERM = a clean stop first.
            threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGTERM)).start()

    def _answer(self, msg: Command, ok: bool, detail: str) -> None:
        self.uplink.publish_result(CommandResult(
            msg_id=new_id(), device_id=self.cfg.device.id, sent_at=now_iso(),
            command_id=msg.command_id, action=msg.action, ok=ok, detail=detail))

    # -- updates (edge/update.py) -----------------------------------------------------------------
    def _answer_id(self, command_id: str, ok: bool, detail: str) -> None:
        if command_id:
            self.uplink.publish_result(CommandResult(
                msg_id=new_id(), device_id=self.cfg.device.id, sent_at=now_iso(),
                command_id=command_id, action="update", ok=ok, detail=detail))

    def _report_update(self, summary: str) -> None:
        self.uplink.software = {**self.uplink.software, "update": summary}
        self.uplink.publish_status()

    def _idle(self) -> bool:
        """Nothing being scanned, read or assembled: a release may be switched now."""
        return (self.screen.snapshot()["state"] not in ("scanning", "feeder_empty")
                and self.spool.stats()["ocr_backlog"] == 0)

    def _healthy(self) -> bool:
        """Connected (status sent) and a test page read through the whole page pipeline."""
        if not self.uplink.connected:
            return False
        page = np.full((700, 1000), 255, np.uint8)
        for i, line in enumerate(("KIEM TRA SUC KHOE", "DON THU HA NOI 2026", "TRANG THU NGHIEM")):
            cv2.putText(page, line, (60, 150 + 160 * i), cv2.FONT_HERSHEY_SIMPLEX, 2.0, 0, 4)
        result = process_page(cv2.imencode(".png", page)[1].tobytes(), source="health-check", ctx=self.ctx)
        return not isinstance(result, PageFailed) and bool(result.text.strip())

def _last_fault(faults: list[dict[str, str]], *, within_s: float = 3600.0) -> str:
    """'thread X died: ...' for the newest fault of the last hour, for the hub's device page."""
    if not faults:
        return ""
    at = datetime.fromisoformat(faults[0]["at"])
    if (datetime.now(UTC) - at).total_seconds() > within_s:
        return ""
    return f"{ThreadFault.code}: {faults[0]['thread']}: {faults[0]['error']}"[:300]
