"""SANE scanner adapter (pyinsane2), run in a worker process so a driver crash cannot kill the agent.

The parent never imports pyinsane2. It starts ``_sane_worker`` in a "spawn" process, yields each
page the moment it arrives through a pipe, enforces a per-page timeout and translates failures once
into ``edge.exceptions``.
"""
from __future__ import annotations

import logging
import multiprocessing
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edge.exceptions import (
    ConfigError,
    CoverOpen,
    PaperJam,
    ScannerError,
    ScannerNotFound,
    ScannerTimeout,
)
from edge.scanner import _sane_worker
from edge.scanner._sane_worker import Reader, ScanSettings
from edge.scanner.page import AcquiredPage

log = logging.getLogger(__name__)

_ERRORS: dict[str, type[ScannerError]] = {
    cls.code: cls for cls in (ScannerError, ScannerNotFound, PaperJam, CoverOpen, ScannerTimeout)
}
# How often the parent checks that the worker is still alive while waiting for a page.
_POLL_S = 0.1
# After the last page a clean worker exits at once; past this it is killed (SANE close can hang).
_EXIT_GRACE_S = 5.0


@dataclass(frozen=True)
class ProbeResult:
    """Whether SANE works and the scanner can be opened; ``devices`` lists what SANE sees."""

    ok: bool
    detail: str
    devices: tuple[str, ...] = ()


class _Worker:
    """One spawn-context worker process and the read end of its pipe."""

    def __init__(self, target: Callable[..., None], args: tuple[Any, ...]) -> None:
        ctx = multiprocessing.get_context("spawn")  # fork would copy the agent's threads and locks
        self._conn, child_conn = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(
            target=target, args=(child_conn, *args), name="sane-worker", daemon=True
        )
        self._proc.start()
        child_conn.close()  # so the parent sees EOF when the child dies

    def __enter__(self) -> _Worker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop(grace_s=_EXIT_GRACE_S if exc[0] is None else 0.0)

    def receive(self, timeout_s: float) -> tuple[Any, ...]:
        """Next message from the worker; ScannerTimeout/ScannerError if none comes or it died."""
        deadline = time.monotonic() + timeout_s
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.stop(grace_s=0.0)
                raise ScannerTimeout(f"no page from the scanner within {timeout_s:g} s")
            if self._conn.poll(min(_POLL_S, remaining)):
                try:
                    return self._conn.recv()
                except (EOFError, OSError):
                    break
            if not self._proc.is_alive() and not self._conn.poll(0):
                break
        self._proc.join(1.0)
        code = self._proc.exitcode
        raise ScannerError(f"scanner worker died (exit code {code}) before finishing the batch")

    def stop(self, *, grace_s: float) -> None:
        """Let the worker exit for ``grace_s`` seconds, then kill it; close the pipe."""
        if self._proc.is_alive() and grace_s > 0:
            self._proc.join(grace_s)
        if self._proc.is_alive():
            log.warning("killing scanner worker pid %s", self._proc.pid)
            self._proc.kill()
            self._proc.join(5.0)
        self._conn.close()


def _config_dir(sane_config_dir: Path | None) -> str | None:
    # None: the worker inherits SANE_CONFIG_DIR from our environment, else libsane uses /etc/sane.d
    return None if sane_config_dir is None else str(sane_config_dir)


def probe(
    *, device: str = "", sane_config_dir: Path | None = None, timeout_s: float = 20.0
) -> ProbeResult:
    """Is SANE usable and does ``device`` (or the first device found) open? Never raises."""
    try:
        with _Worker(_sane_worker.probe_worker, (device, _config_dir(sane_config_dir))) as worker:
            _, devices, ok, detail = worker.receive(timeout_s)
    except ScannerError as e:
        return ProbeResult(ok=False, detail=e.detail)
    return ProbeResult(ok=ok, detail=detail, devices=tuple(devices))


def scan_batch(
    *,
    device: str = "",
    dpi: int = 300,
    mode: str = "Gray",
    adf: bool = True,
    sane_config_dir: Path | None = None,
    page_timeout_s: float = 60.0,
    area_mm: tuple[float, float] | None = None,
    reader: Reader | None = None,
) -> Iterator[AcquiredPage]:
    """Scan one batch (the whole feeder with ``adf``, else one flatbed page), yielding PNG pages.

    Pages are yielded as soon as each is scanned; a jam or crash mid-batch raises after the pages
    scanned before it. ``area_mm`` = (width, height) from the top-left, None = the largest area.
    ``reader`` is the fault-injection seam: a picklable module-level function with the signature of
    ``_sane_worker.read_pages``, run inside the worker instead of it.
    """
    if dpi <= 0:
        raise ConfigError(f"scanner dpi must be positive, got {dpi}")
    if page_timeout_s <= 0:
        raise ConfigError(f"scanner page timeout must be positive, got {page_timeout_s}")
    if area_mm is not None and min(area_mm) <= 0:
        raise ConfigError(f"scan area must be positive millimetres, got {area_mm}")
    settings = ScanSettings(device=device, dpi=dpi, mode=mode, adf=adf, area_mm=area_mm)
    return _scan(settings, _config_dir(sane_config_dir), page_timeout_s, reader)


def _scan(
    settings: ScanSettings, config_dir: str | None, page_timeout_s: float, reader: Reader | None
) -> Iterator[AcquiredPage]:
    started = time.monotonic()
    with _Worker(_sane_worker.scan_worker, (settings, config_dir, reader)) as worker:
        while True:
            message = worker.receive(page_timeout_s)
            kind = message[0]
            if kind == "page":
                _, index, png, dpi, source = message
                yield AcquiredPage(index=index, image=png, source=source, dpi=dpi)
            elif kind == "end":
                log.info(
                    "scanned %d page(s) in %.1f s", message[1], time.monotonic() - started
                )
                return
            elif kind == "error":
                _, code, detail = message
                log.warning("scan failed: [%s] %s", code, detail)
                worker.stop(grace_s=_EXIT_GRACE_S)  # it has said its last word and is exiting
                raise _ERRORS.get(code, ScannerError)(detail)
            else:
                raise ScannerError(f"unexpected message from scanner worker: {kind!r}")
