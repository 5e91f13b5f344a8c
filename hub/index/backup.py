"""Backups of the city index while the ingester and the panel run, and restoring one.

A backup is SQLite's online backup API in one step: one read transaction, so the copy is
the index as of one commit, while the WAL lets the writer go on meanwhile. The copy is
checked (``PRAGMA integrity_check``), turned into a self-contained file (no ``-wal``),
fsynced and only then given its final name, so a half-written backup never looks like one.

A restore refuses while a service holds the index: ``hub ingest`` and ``hub serve`` hold a
shared lock on ``<index>.lock`` for as long as they run (:func:`hold_index`), and restore
needs it exclusively. It checks the copy first (integrity, the tables the hub needs, no
migration this version does not know), keeps the index it replaces beside it, and opens
the restored one through :func:`hub.index.open_index`, which applies any newer migrations.
"""
from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from hub.exceptions import BackupError, IndexInUse
from hub.index.db import all_migrations, open_index

log = logging.getLogger(__name__)

# Tables without which a file is not a city index (whatever else a version adds).
REQUIRED_TABLES = ("_migrations", "documents", "pages", "messages_seen", "devices")
BACKUP_GLOB = "index-*.db"
_HELD: list[int] = []  # lock file descriptors kept open for the life of the process


@dataclass(frozen=True)
class BackupResult:
    path: Path
    documents: int
    size_bytes: int
    seconds: float
    removed: tuple[Path, ...] = ()  # older backups dropped by the retention count


@dataclass(frozen=True)
class RestoreResult:
    path: Path
    documents: int
    seconds: float
    previous: Path | None  # the index that was replaced, kept beside it
    migrated: tuple[str, ...] = ()


def lock_path(db_path: Path) -> Path:
    """The lock file services hold while they use the index."""
    return Path(f"{db_path}.lock")


def hold_index(db_path: Path) -> None:
    """Hold a shared lock on the index for the rest of this process (ingester, panel)."""
    Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path(db_path), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o640)
    fcntl.flock(fd, fcntl.LOCK_SH)  # waits while a restore runs
    _HELD.append(fd)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _check(conn: sqlite3.Connection, what: str) -> int:
    """Integrity and shape of an index file; return its number of documents."""
    try:
        result = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        if result != ["ok"]:
            raise BackupError(f"{what} fails the integrity check: {'; '.join(result[:5])}")
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
        missing = [t for t in REQUIRED_TABLES if t not in tables]
        if missing:
            raise BackupError(f"{what} is not a city index (no table {', '.join(missing)})")
        known = {name for name, _ in all_migrations()}
        unknown = sorted({r[0] for r in conn.execute("select name from _migrations")} - known)
        if unknown:
            raise BackupError(f"{what} was made by a newer version (migrations {', '.join(unknown)})")
        return int(conn.execute("select count(*) from documents").fetchone()[0])
    except sqlite3.DatabaseError as e:
        raise BackupError(f"{what} cannot be read as SQLite: {e}") from e


def _copy(src: sqlite3.Connection, partial: Path, target: Path, *, check: str = "") -> int:
    """Copy ``src`` to ``partial`` as one self-contained file, durably renamed to ``target``.

    With ``check`` (what to call the copy in errors) the copy is checked before it is
    renamed and its number of documents returned; without, 0.
    """
    out = sqlite3.connect(partial)
    try:
        src.backup(out)  # pages=-1: the whole file in one step, one snapshot
        out.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        docs = _check(out, check) if check else 0
    finally:
        out.close()
    _fsync(partial)
    os.replace(partial, target)
    _fsync(target.parent)
    return docs


def backup(db_path: Path, dest: Path, *, keep: int = 0) -> BackupResult:
    """Copy the index consistently to ``dest`` (a file, or a directory for a dated file).

    With a directory and ``keep`` > 0, only the newest ``keep`` backups there are kept.
    """
    began = time.perf_counter()
    db_path, dest = Path(db_path), Path(dest)
    if not db_path.exists():
        raise BackupError(f"no index at {db_path}")
    in_dir = dest.is_dir()
    target = dest / f"index-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.db" if in_dir else dest
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        src = sqlite3.connect(db_path, timeout=30)
        try:
            src.execute("PRAGMA busy_timeout=30000")
            docs = _copy(src, partial, target, check="the backup copy")
        finally:
            src.close()
    except (sqlite3.Error, OSError) as e:
        partial.unlink(missing_ok=True)
        raise BackupError(f"backup of {db_path} to {target} failed: {e}") from e
    except BackupError:
        partial.unlink(missing_ok=True)
        raise
    removed: list[Path] = []
    if in_dir and keep > 0:
        for old in sorted(dest.glob(BACKUP_GLOB))[:-keep]:
            old.unlink(missing_ok=True)
            removed.append(old)
    took = time.perf_counter() - began
    log.info("index backed up to %s (%d documents, %.1f s)", target, docs, took)
    return BackupResult(target, docs, target.stat().st_size, took, tuple(removed))


def restore(src: Path, db_path: Path) -> RestoreResult:
    """Put the backup ``src`` in place of the index at ``db_path`` (services stopped)."""
    began = time.perf_counter()
    src, db_path = Path(src), Path(db_path)
    if not src.is_file():
        raise BackupError(f"no backup at {src}")
    try:
        with sqlite3.connect(f"file:{src}?mode=ro", uri=True) as conn:
            _check(conn, f"backup {src}")
    except sqlite3.Error as e:
        raise BackupError(f"backup {src} cannot be read: {e}") from e
    db_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path(db_path), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o640)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            raise IndexInUse(f"the index {db_path} is in use (hub ingest or hub serve runs); "
                             "stop donthu-hub-ingest and donthu-hub-panel first") from e
        previous = _set_aside(db_path)
        incoming = db_path.with_name(f".{db_path.name}.restoring")
        incoming.unlink(missing_ok=True)
        try:
            with sqlite3.connect(f"file:{src}?mode=ro", uri=True) as s_conn:
                _copy(s_conn, incoming, db_path)  # checked above, and again once migrated
        except (sqlite3.Error, OSError) as e:
            incoming.unlink(missing_ok=True)
            raise BackupError(f"restore of {src} to {db_path} failed: {e}") from e
        with sqlite3.connect(db_path) as conn:
            before = {r[0] for r in conn.execute("select name from _migrations")}
        db = open_index(db_path)  # newer migrations apply to an older backup
        try:
            migrated = tuple(n for n, _ in all_migrations() if n not in before)
            docs = _check(db.conn, f"the restored index {db_path}")
        finally:
            db.conn.close()
    finally:
        os.close(fd)
    took = time.perf_counter() - began
    log.info("index %s restored from %s (%d documents, %.1f s)", db_path, src, docs, took)
    return RestoreResult(db_path, docs, took, previous, migrated)


def _set_aside(db_path: Path) -> Path | None:
    """Move the current index (its log folded in first) beside itself; return where."""
    if not db_path.exists():
        return None
    try:
        with sqlite3.connect(db_path, timeout=30) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as e:
        raise BackupError(f"the current index {db_path} cannot be closed cleanly: {e}") from e
    aside = db_path.with_name(f"{db_path.name}.before-restore-{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
    os.replace(db_path, aside)
    for suffix in ("-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    return aside
