"""SQLite city index: connection settings and ordered, re-runnable migrations.

Every table the hub uses is created here, so a reader of this file knows the whole
record. Migrations run in order, each in its own transaction, and are recorded in
``_migrations`` so opening an index twice is safe.
"""
from __future__ import annotations

import fcntl
import logging
import os
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from hub.exceptions import IndexError_

log = logging.getLogger(__name__)

Migration = Callable[[sqlite_utils.Database], None]


def _m001_core(db: sqlite_utils.Database) -> None:
    db["devices"].create(
        {
            "device_id": str, "state": str, "boot_id": str, "last_seen": str,
            "first_seen": str, "metrics": str, "outbox_depth": int, "pages_today": int,
            "ocr_backlog": int, "scanner_state": str, "last_error": str,
        },
        pk="device_id",
    )
    db["documents"].create(
        {
            "doc_id": str, "source": str, "device_id": str, "source_name": str,
            "batch_id": str, "scanned_at": str, "received_at": str, "page_count": int,
            "text": str, "text_fold": str, "fp_version": int, "minhash": bytes,
            "text_sha256": str, "shingle_count": int, "identity_keys": str,
            "status": str, "resolved_at": str, "case_ref": str,
        },
        pk="doc_id",
        defaults={"status": "received"},
    )
    db["documents"].create_index(["received_at"])
    db["documents"].create_index(["text_sha256"])
    db["pages"].create(
        {
            "page_id": str, "doc_id": str, "idx": int, "image_sha256": str,
            "skew_degrees": float, "ocr_confidence": float, "text": str, "flags": str,
            "mime": str, "width": int, "height": int, "dpi": int, "image": bytes,
            "image_received_at": str,
        },
        pk="page_id",
    )
    db["pages"].create_index(["doc_id", "idx"])
    db["pages"].create_index(["image_sha256"])
    # LSH bands of the MinHash signature: candidates are documents sharing a band key.
    db["lsh_bands"].create({"band": int, "key": int, "doc_id": str}, pk=("band", "key", "doc_id"))
    db["duplicate_pairs"].create(
        {
            "doc_a": str, "doc_b": str, "similarity": float, "containment": float,
            "method": str, "found_at": str, "decision": str, "decided_by": str,
            "decided_at": str,
        },
        pk=("doc_a", "doc_b"),
        defaults={"decision": "proposed"},
    )
    db["duplicate_pairs"].create_index(["doc_b"])
    db["messages_seen"].create({"msg_id": str, "received_at": str}, pk="msg_id")
    db["rejected_messages"].create(
        {"id": int, "topic": str, "received_at": str, "error": str, "payload": bytes}, pk="id"
    )
    db["users"].create(
        {"username": str, "password_hash": str, "display_name": str, "created_at": str},
        pk="username",
    )
    db["documents"].enable_fts(["text_fold"], create_triggers=True, tokenize="unicode61")


def _m002_page_pdf(db: sqlite_utils.Database) -> None:
    # Each kiosk page also arrives as a searchable PDF (image + invisible OCR text).
    db["pages"].add_column("pdf", bytes)


def _m004_fleet(db: sqlite_utils.Database) -> None:
    """Fleet telemetry and control; page-hash completeness of kiosk documents.

    Written to be safe when two processes (ingester and panel) migrate a new index at once.
    """
    def add(table: str, column: str, typ: type) -> None:
        if column not in db[table].columns_dict:
            try:
                db[table].add_column(column, typ)
            except sqlite3.OperationalError as e:  # the other process was quicker
                if "duplicate column" not in str(e):
                    raise

    for column, typ in (("metrics_at", str), ("interval_s", float), ("outbox_oldest_s", float),
                        ("ocr_ms_per_page", float), ("disk_free_mb", float), ("temperature_c", float),
                        ("failed_pages", int), ("scanner_error", str), ("config_version", int),
                        ("config_error", str), ("uptime_s", float)):
        add("devices", column, typ)
    # One row per metrics message: the panel's per-kiosk chart (pruned after a week).
    db["device_metrics"].create(
        {"device_id": str, "at": str, "pages_today": int, "outbox_depth": int, "ocr_backlog": int,
         "ocr_ms_per_page": float, "disk_free_mb": float, "temperature_c": float},
        pk=("device_id", "at"), if_not_exists=True,
    )
    # The desired configuration the hub last pushed (retained on the broker). The panel
    # writes here and in device_commands; the ingester, which holds the broker connection,
    # publishes rows whose published_at / sent_at is empty (a small outbox on the hub side).
    db["device_config"].create(
        {"device_id": str, "version": int, "settings": str, "set_at": str, "set_by": str,
         "published_at": str},
        pk="device_id", if_not_exists=True,
    )
    db["device_commands"].create(
        {"command_id": str, "device_id": str, "action": str, "issued_at": str, "issued_by": str,
         "expires_at": str, "sent_at": str, "ok": int, "detail": str, "answered_at": str},
        pk="command_id", if_not_exists=True,
    )
    db["device_commands"].create_index(["device_id", "issued_at"], if_not_exists=True)
    # A page's hash as its document message states it; an image must match it to count.
    add("pages", "expected_sha256", str)
    add("documents", "complete_at", str)
    db["documents"].create_index(["device_id", "received_at"], if_not_exists=True)


def _m003_dedup(db: sqlite_utils.Database) -> None:
    # Dedup v2: documents get a small integer number so the LSH band rows (one per band
    # per document) and identity keys cost ~20 bytes each instead of a 32-character id.
    db.execute("create table dedup_docs (n integer primary key, doc_id text not null unique)")
    db.execute("create table dedup_lsh (key integer not null, doc integer not null, "
               "primary key (key, doc)) without rowid")
    db.execute("create table dedup_identity (key text not null, doc integer not null, "
               "primary key (key, doc)) without rowid")
    db.execute("create table dedup_boilerplate (code integer primary key, weight real not null) without rowid")
    db["dedup_state"].create({"key": str, "value": str}, pk="key")
    db["citizen_links"].create({"doc_a": str, "doc_b": str, "keys": str, "found_at": str},
                               pk=("doc_a", "doc_b"))
    db["citizen_links"].create_index(["doc_b"])
    # Every operator decision on a pair, in order (duplicate_pairs keeps only the latest).
    db["duplicate_decisions"].create(
        {"id": int, "doc_a": str, "doc_b": str, "decision": str, "decided_by": str,
         "decided_at": str, "note": str},
        pk="id",
    )
    db["duplicate_decisions"].create_index(["doc_a", "doc_b"])
    # Which learned-boilerplate generation a proposal was verified under: proposals are
    # re-checked as the index learns its templates (an empty index knows none).
    db["duplicate_pairs"].add_column("boiler_gen", int)
    db.execute("delete from lsh_bands")  # v1 band keys; documents are re-indexed by 005


# LSH buckets filled by a common phrasing (``lsh.HOT``), no longer read or indexed.
_HOT_BUCKETS = "create table if not exists dedup_lsh_hot (key integer primary key)"


def _m005_fingerprints(db: sqlite_utils.Database) -> None:
    # Each document's fingerprint lives with its dedup number: a lookup reads a ~600-byte row
    # per candidate (signature, template mask, size, identity keys) instead of a document row
    # whose text spills over several overflow pages. ``tmask`` marks the signature positions
    # won by learned template text when the document was indexed.
    for column, typ in (("fp", "integer"), ("shingles", "integer"), ("sig", "blob"), ("tmask", "blob"),
                        ("keys", "text")):
        db.execute(f"alter table dedup_docs add column {column} {typ}")
    # Bands are written the current way (``lsh.add``), which reads it. Documents stored
    # before this are fingerprinted anew by the matcher's own migration (``hub.dedup.schema``).
    db.execute(_HOT_BUCKETS)


def _m003_cases(db: sqlite_utils.Database) -> None:
    # A case is the city's file on one matter; its documents point to it by case_ref and
    # carry its status (copied, so matching and lists read one table).
    db["cases"].create(
        {"case_ref": str, "title": str, "status": str, "received_on": str, "resolved_on": str,
         "source": str, "updated_at": str, "updated_by": str},
        pk="case_ref",
        defaults={"status": "received"},
    )
    db["case_events"].create(
        {"id": int, "case_ref": str, "doc_id": str, "status": str, "resolved_on": str,
         "by": str, "at": str, "via": str},
        pk="id",
    )
    db["case_events"].create_index(["case_ref"])
    db["documents"].create_index(["case_ref"])


def _m006_fts_on_text_only(db: sqlite_utils.Database) -> None:
    # sqlite-utils' update trigger re-indexes a document's whole text in the search index on
    # any update of its row: marking a document complete, setting its case status. Only a
    # change of the search text needs it.
    db.execute("drop trigger if exists documents_au")
    db.execute("create trigger documents_au after update of text_fold on documents begin "
               "insert into documents_fts (documents_fts, rowid, text_fold) values ('delete', old.rowid, old.text_fold); "
               "insert into documents_fts (rowid, text_fold) values (new.rowid, new.text_fold); end")


def _m007_fts_insert_by_writer(db: sqlite_utils.Database) -> None:
    # A trigger runs its insert into the search index as a statement of its own, and SQLite's
    # full-text index writes out what it holds at each one: 150-280 us a document instead of
    # 60-90 us. ``insert_document`` (every document's way in) indexes the text itself;
    # ``search.rebuild`` indexes documents written any other way.
    db.execute("drop trigger if exists documents_ai")


def _m008_stale_proposals(db: sqlite_utils.Database) -> None:
    # Proposals made under older boilerplate are re-checked a few at a time (``match.recheck_proposed``):
    # each slice reads the next ones through this index instead of scanning every pair.
    db.execute("update duplicate_pairs set boiler_gen = 0 where boiler_gen is null")
    db.execute("create index if not exists duplicate_pairs_stale on duplicate_pairs (boiler_gen) "
               "where decision = 'proposed'")


def _m010_fields_reference(db: sqlite_utils.Database) -> None:
    # What a person reads a petition by: a human reference number per document
    # (``K01-081226-0007``: kiosk, date, sequence; imports get their own prefix), and the
    # structured fields read from its text (petitioner, ID number, phone, address, kind,
    # addressee, letter date, subject), with how sure the reading is and who corrected it.
    # One row per document; ``source`` is 'ocr' (read from the text), 'clerk' (corrected on
    # the kiosk) or 'operator' (corrected on the panel).
    if "reference" not in db["documents"].columns_dict:
        db.execute("alter table documents add column reference text")
    db.execute("create unique index if not exists documents_reference on documents (reference) "
               "where reference is not null")
    db["document_fields"].create(
        {"doc_id": str, "name": str, "id_number": str, "phone": str, "address": str, "kind": str,
         "addressee": str, "letter_date": str, "subject": str, "confidence": str, "source": str,
         "updated_at": str, "updated_by": str},
        pk="doc_id", if_not_exists=True,
    )
    db["document_fields"].create_index(["id_number"], if_not_exists=True)
    db["document_fields"].create_index(["kind"], if_not_exists=True)


def _m011_software(db: sqlite_utils.Database) -> None:
    # Each kiosk's software as its last status message gave it (``edge.inventory``): JSON;
    # releases the hub holds for fleet updates (``hub.fleet.releases``), and the arguments of
    # a command (an update's version, address and hash).
    if "software" not in db["devices"].columns_dict:
        db.execute("alter table devices add column software text")
    if "args" not in db["device_commands"].columns_dict:
        db.execute("alter table device_commands add column args text")
    db["releases"].create({"version": str, "filename": str, "sha256": str, "size": int, "build": str,
                           "added_at": str, "added_by": str}, pk="version", if_not_exists=True)


def _m012_enrollments(db: sqlite_utils.Database) -> None:
    # One-time enrollment codes (``hub.fleet.enroll``): a hash of the code's proof and the
    # credentials sealed under the code's key, never the code itself; attempts for the rate limit.
    db["device_enrollments"].create(
        {"device_id": str, "name": str, "point": str, "proof_sha256": str, "sealed": str,
         "created_at": str, "created_by": str, "expires_at": str, "used_at": str, "used_from": str,
         "failures": int, "retired_at": str, "retired_by": str},
        pk="device_id", defaults={"failures": 0}, if_not_exists=True,
    )
    db["enroll_attempts"].create({"id": int, "at": str, "remote": str, "device_id": str, "ok": int},
                                 pk="id", if_not_exists=True)
    db["enroll_attempts"].create_index(["remote", "at"], if_not_exists=True)


def _m013_panel_sessions(db: sqlite_utils.Database) -> None:
    # Accounts made before roles existed could do everything: they stay admins.
    db["users"].add_column("role", str, not_null_default="admin")
    # Server-side panel sessions: the cookie carries a random id, the row says who and
    # since when, so logout and a password change end the session everywhere.
    db["panel_sessions"].create(
        {"sid_hash": str, "username": str, "created_at": float, "last_seen": float},
        pk="sid_hash", if_not_exists=True,
    )
    db["panel_sessions"].create_index(["username"], if_not_exists=True)
    # Failed sign-ins per user name and per address (key "user:NAME" / "addr:IP").
    db["login_throttle"].create(
        {"key": str, "failures": int, "window_start": float, "locked_until": float},
        pk="key", if_not_exists=True,
    )


def _m014_panel_lists(db: sqlite_utils.Database) -> None:
    # The panel's lists at a year's letters and more: pages flagged for a look (few), pairs by
    # decision (the review queue, the duplicate filters), letters by status, petitioners by
    # name (sort), cases by last change (their list).
    db.execute("create index if not exists pages_flagged on pages (doc_id) "
               "where flags is not null and flags not in ('', '[]')")
    db.execute("create index if not exists duplicate_pairs_decision on duplicate_pairs (decision, doc_a, doc_b)")
    db.execute("create index if not exists duplicate_pairs_decision_b on duplicate_pairs (decision, doc_b)")
    db.execute("create index if not exists documents_status on documents (status, received_at)")
    # A document row holds its text, so columns after it (status) are read through the text's
    # overflow pages: these indexes hold what a list page filters and orders by, and the id.
    db.execute("create index if not exists documents_list on documents (received_at, doc_id, status, device_id)")
    db.execute("create index if not exists documents_kiosk_list on documents "
               "(device_id, received_at, doc_id, status)")
    db.execute("create index if not exists document_fields_name on document_fields (name)")
    db.execute("create index if not exists document_fields_letter_date on document_fields (letter_date)")
    db.execute("create index if not exists cases_updated on cases (updated_at)")


def _m015_outbox_delivery(db: sqlite_utils.Database) -> None:
    # A kiosk's outbox as its metrics report it: documents the broker took (sent), those this
    # hub confirmed committed (delivered), and the age of the oldest not yet confirmed.
    for column, typ in (("outbox_sent", int), ("outbox_delivered", int),
                        ("oldest_undelivered_s", float)):
        if column not in db["devices"].columns_dict:
            db["devices"].add_column(column, typ)


def _m016_dedup_model(db: sqlite_utils.Database) -> None:
    # The duplicate scoring model (``hub.dedup.model``): each letter's OCR noise estimated from
    # its own text, kept with its fingerprint; each proposed pair's match probability, the
    # model version that gave it, and the per-feature contributions that explain it (JSON).
    # ``index_uid`` names this index file for caches kept in memory (``dedup.boilerplate``).
    for table, column, typ in (("dedup_docs", "noise", "real"), ("duplicate_pairs", "probability", "real"),
                               ("duplicate_pairs", "model_version", "text"), ("duplicate_pairs", "reasons", "text")):
        if column not in db[table].columns_dict:
            db.execute(f"alter table {table} add column {column} {typ}")
    db.execute("insert or ignore into dedup_state (key, value) values ('index_uid', lower(hex(randomblob(8))))")
    db.execute("create index if not exists duplicate_pairs_probability on duplicate_pairs (probability desc) "
               "where decision = 'proposed'")


MIGRATIONS: list[tuple[str, Migration]] = [
    ("001_core", _m001_core),
    ("002_page_pdf", _m002_page_pdf),
    ("004_fleet", _m004_fleet),
    ("003_dedup_v2", _m003_dedup),
    ("003_cases", _m003_cases),
    ("005_fingerprints", _m005_fingerprints),
    ("006_fts_on_text_only", _m006_fts_on_text_only),
    ("007_fts_insert_by_writer", _m007_fts_insert_by_writer),
    ("008_stale_proposals", _m008_stale_proposals),
    ("010_fields_reference", _m010_fields_reference),
    ("011_software", _m011_software),
    ("012_enrollments", _m012_enrollments),
    ("013_panel_sessions", _m013_panel_sessions),
    ("014_panel_lists", _m014_panel_lists),
    ("015_outbox_delivery", _m015_outbox_delivery),
    ("016_dedup_model", _m016_dedup_model),
]


# Migrations that need the matcher's own logic (re-fingerprinting, LSH bookkeeping) are
# registered by ``hub.dedup`` (``hub.dedup.schema``) and run after these, so that the index
# imports nothing of the matcher.
_REGISTERED: list[tuple[str, Migration]] = []


def register_migrations(steps: Sequence[tuple[str, Migration]]) -> None:
    """Add another package's migrations, run by :func:`migrate` after ``MIGRATIONS`` (once each)."""
    for step in steps:
        if step[0] not in {name for name, _ in _REGISTERED}:
            _REGISTERED.append(step)


def all_migrations() -> list[tuple[str, Migration]]:
    """Every migration this process knows, in the order they run (``MIGRATIONS``, then registered)."""
    return [*MIGRATIONS, *_REGISTERED]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply pending migrations in order; return the names applied."""
    if "_migrations" not in db.table_names():
        db["_migrations"].create({"name": str, "applied_at": str}, pk="name")
    done = {r["name"] for r in db["_migrations"].rows}
    applied = []
    for name, step in all_migrations():
        if name in done:
            continue
        with db.conn:
            step(db)
            db["_migrations"].insert({"name": name, "applied_at": _now()})
        applied.append(name)
    return applied


def private_file(path: str | Path) -> None:
    """Create ``path`` (if missing) readable by its owner alone, or by its group too when the
    folder is set-group-ID: the way a folder says it is shared by a group of services.

    SQLite creates a missing database file 0644 (less the umask), readable by every user;
    it gives the ``-wal`` and ``-shm`` files the mode of the database file, and so do we.
    """
    path = Path(path)
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    mode = 0o660 if path.parent.stat().st_mode & 0o2000 else 0o600
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode))
        os.chmod(path, mode)  # the umask may have taken bits the group needs
    except FileExistsError:
        pass
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            st = name.stat()
            if st.st_uid == os.geteuid() and st.st_mode & 0o777 & ~mode:
                os.chmod(name, st.st_mode & mode)  # an older, world-readable file
        except FileNotFoundError:
            pass


def open_index(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) the city index at ``path``, migrated, WAL, foreign-key safe."""
    try:
        private_file(path)
        conn = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
        db = sqlite_utils.Database(conn)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA busy_timeout=30000")
        # The ingester, the panel and `hub import` may open a new index at the same moment:
        # one process at a time reads and applies the pending migrations.
        private_file(f"{path}.migrate-lock")
        with open(f"{path}.migrate-lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            migrate(db)
        private_file(path)  # the -wal and -shm files made meanwhile
    except (sqlite3.Error, OSError) as e:
        raise IndexError_(f"cannot open city index {path}: {e}") from e
    return db


def marks(values: Sequence) -> str:
    """Placeholders for ``values`` in an SQL ``in (...)`` list: ``?,?,?``."""
    return ",".join("?" * len(values))


def rows(db: sqlite_utils.Database, sql: str, params: list | dict | None = None) -> list[dict]:
    """Rows of a query as dicts, without sqlite-utils' savepoint around each query.

    Inside the ingester's batch transaction a savepoint makes SQLite's full-text index write
    out everything pending: one of them per document made its indexing five times dearer.
    """
    cur = db.conn.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


@contextmanager
def immediate(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """A transaction that takes the write lock at its start (a savepoint when one is open).

    A transaction that reads and then writes must: if another connection (the ingester)
    commits in between, SQLite cannot upgrade the stale read to a write and fails at once,
    without waiting, with "database is locked".
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.rollback()
        raise
    db.conn.commit()


class Checkpointer:
    """Copies the write-ahead log into the database file from a thread and connection of its own.

    SQLite otherwise checkpoints inside the commit that fills the log past 1,000 pages: the
    ingester's writer would stop for the copy and its fsyncs, and at a million documents a
    batch's band rows touch thousands of scattered pages, so that is most commits. Passive
    checkpoints here never block the writer or the panel (SQLite releases the GIL while it
    copies); the log starts over at the writer's first transaction after a checkpoint that
    caught up with it.
    """

    def __init__(self, path: str | Path, *, interval_s: float = 0.5) -> None:
        self.path, self.interval_s = Path(path), interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._writer: sqlite_utils.Database | None = None
        self.last_error = ""

    def start(self, writer: sqlite_utils.Database) -> None:
        """Take checkpointing over from ``writer``'s commits."""
        writer.execute("PRAGMA wal_autocheckpoint=0")
        self._writer = writer
        self._thread = threading.Thread(target=self._run, name="index-checkpoint", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Checkpoint once more and give checkpointing back to the writer's commits."""
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=60)
        if self._writer is not None:
            try:
                self._writer.execute("PRAGMA wal_autocheckpoint=1000")
            except sqlite3.Error:  # the writer is already closed
                pass

    def _run(self) -> None:
        conn = sqlite3.connect(str(self.path), timeout=30)
        try:
            while True:
                stopping = self._stop.wait(self.interval_s)
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                    self.last_error = ""
                except sqlite3.Error as e:  # the next round tries again
                    if str(e) != self.last_error:
                        log.warning("index checkpoint failed: %s", e)
                    self.last_error = str(e)
                if stopping:
                    return
        finally:
            conn.close()


class WalSync:
    """Makes the writer's commits durable from a thread of its own, then runs what waited on them.

    The writer commits with ``synchronous=NORMAL``: SQLite writes the log but does not fsync
    it. What may happen only once a commit is on disk (acknowledging messages to the broker,
    sending verdicts) is handed to :meth:`after`. This thread fsyncs the log once for
    everything handed over since its last fsync, then runs the callbacks in order. That is
    what ``synchronous=FULL`` promises, with one fsync for several commits and without the
    writer waiting on the disk (about 7 ms a commit here; the writer goes on with the next
    batch meanwhile).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._todo: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._fd: int | None = None
        self._stopping = threading.Event()  # seen also while a failing fsync is retried
        self.last_error = ""

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="index-sync", daemon=True)
        self._thread.start()

    def after(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once everything committed so far is on disk."""
        self._todo.put(callback)

    def stop(self) -> None:
        """Sync what was committed, run what waited on it, and end the thread (giving up,
        without running it, if the disk still refuses)."""
        self._stopping.set()
        self._todo.put(None)
        if self._thread:
            self._thread.join(timeout=60)

    def sync(self) -> None:
        """fsync the write-ahead log (the database file when there is none: all of it is there)."""
        wal = Path(f"{self.path}-wal")
        try:
            inode = os.stat(wal).st_ino
        except FileNotFoundError:
            self._close()
            fd = os.open(self.path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            return
        if self._fd is None or os.fstat(self._fd).st_ino != inode:  # a new log since: sync that one
            self._close()
            self._fd = os.open(wal, os.O_RDONLY)
        os.fsync(self._fd)

    def _close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _take(self) -> tuple[list[Callable[[], None]], bool]:
        """Wait for something to sync, then take all that is waiting: what the next fsync
        covers, and whether the thread is asked to end after it."""
        waiting, stopping = [], False
        item = self._todo.get()
        while True:
            if item is None:
                stopping = True
            else:
                waiting.append(item)
            try:
                item = self._todo.get_nowait()
            except queue.Empty:
                return waiting, stopping

    def _run(self) -> None:
        try:
            stopping = False
            while not stopping:
                waiting, stopping = self._take()
                while True:
                    try:
                        self.sync()
                        self.last_error = ""
                        break
                    except OSError as e:  # nothing is acknowledged until the disk has it
                        if str(e) != self.last_error:
                            log.error("could not sync the index to disk (retrying each second): %s", e)
                        self.last_error = str(e)
                        if stopping or self._stopping.wait(1.0):
                            return
                for callback in waiting:
                    try:
                        callback()
                    except Exception:  # noqa: BLE001 — one failed callback must not stop the others
                        log.exception("callback after index sync failed")
        finally:
            self._close()
