"""A watched import folder: each file dropped in is imported once it has stopped growing.

Polling, not inotify: scanners and mail rules write over SMB/NFS shares where change events do
not arrive. A file is taken when its size and modification time are the same on two polls in a
row; imported files move to ``done/``, refused ones to ``failed/`` with the reason beside them
(``NAME.error.txt``, English and Vietnamese), so nothing is read twice and nothing is lost.
"""
from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

import sqlite_utils

from hub.exceptions import HubError
from hub.ingest.files import Imported, import_file

log = logging.getLogger(__name__)

DONE, FAILED = "done", "failed"
# Seconds between polls: a file copied in is taken within two polls of its last write.
POLL_S = 2.0


def watch(db: sqlite_utils.Database, folder: Path, *, stop: threading.Event,
          poll_s: float = POLL_S,
          on_result: Callable[[Path, Imported | HubError], None] | None = None) -> None:
    """Import files appearing in ``folder`` until ``stop`` is set."""
    (folder / DONE).mkdir(parents=True, exist_ok=True)
    (folder / FAILED).mkdir(exist_ok=True)
    seen: dict[Path, tuple[int, int]] = {}
    while not stop.is_set():
        current: dict[Path, tuple[int, int]] = {}
        for path in sorted(folder.iterdir()):
            if not path.is_file() or path.name.startswith((".", "~")):
                continue  # partial uploads are often hidden names until renamed
            try:
                st = path.stat()
            except OSError:
                continue
            current[path] = (st.st_size, st.st_mtime_ns)
        for path, sig in current.items():
            if stop.is_set():
                break
            if seen.get(path) != sig:
                continue  # new or still growing: look again next poll
            result = take(db, path, folder)
            if on_result:
                on_result(path, result)
        seen = current
        stop.wait(poll_s)


def take(db: sqlite_utils.Database, path: Path, folder: Path) -> Imported | HubError:
    """Import one stable file and move it to done/ or failed/ (with its .error.txt)."""
    try:
        res: Imported | HubError = import_file(db, path)
    except HubError as e:
        res = e
    if isinstance(res, Imported):
        log.info("watch: imported a file as %s", res.document_id)
        _move(path, folder / DONE)
        return res
    log.warning("watch: refused a file: %s", res.code)  # the detail names the file: kept off logs
    target = _move(path, folder / FAILED)
    target.with_name(target.name + ".error.txt").write_text(
        f"{res.code}: {res.detail}\n{res.message_vi}\n", encoding="utf-8")
    return res


def _move(path: Path, into: Path) -> Path:
    target = into / path.name
    n = 1
    while target.exists():  # the same name dropped again: keep both
        target = into / f"{path.stem}.{n}{path.suffix}"
        n += 1
    shutil.move(str(path), target)
    return target
