"""Backups taken while the index is being written, and restoring them."""
from __future__ import annotations

import fcntl
import hashlib
import os
import sqlite3
import threading
import time

import pytest

from edge.fingerprint import fingerprint
from edge.wire import DocumentMessage, PageImageMessage, PageInfo, new_id, now_iso, topic
from hub.cli import main as hub_main
from hub.exceptions import BackupError, IndexInUse
from hub.index import open_index
from hub.index.backup import backup, hold_index, lock_path, restore
from hub.ingest.handle import handle_batch


def _messages(n: int) -> list[tuple[str, bytes]]:
    """``n`` one-page kiosk documents as the ingester receives them (page, then document)."""
    out = []
    for i in range(n):
        doc_id, page_id = new_id(), new_id()
        text = f"Kính gửi Ủy ban nhân dân phường. Đơn số {i} đề nghị sửa đường ngõ {i * 7}. " * 3
        image = f"image-{doc_id}".encode() * 20
        sha = hashlib.sha256(image).hexdigest()
        out.append((topic("k01", "page"), PageImageMessage(
            msg_id=new_id(), device_id="k01", sent_at=now_iso(), doc_id=doc_id, page_id=page_id,
            index=0, mime="image/png", width=10, height=10, dpi=150, image_sha256=sha,
            image=image).to_json()))
        out.append((topic("k01", "doc"), DocumentMessage(
            msg_id=new_id(), device_id="k01", sent_at=now_iso(), doc_id=doc_id, batch_id=new_id(),
            scanned_at=now_iso(), page_count=1, pages=(PageInfo(page_id, 0, sha, 0.0, 90.0, text),),
            fingerprint=fingerprint(text)).to_json()))
    return out


def _doc_ids(path) -> set[str]:
    with sqlite3.connect(path) as c:
        return {r[0] for r in c.execute("select doc_id from documents where complete_at is not null")}


def test_backup_during_a_burst_of_ingest_restores_every_committed_document(tmp_path):
    db_path = tmp_path / "index.db"
    db = open_index(db_path)
    msgs = _messages(160)
    handle_batch(db, msgs[:40])  # committed before the backup starts
    before = _doc_ids(db_path)
    committed_at_end: set[str] = set()

    def burst() -> None:
        writer = open_index(db_path)
        for start in range(40, len(msgs), 20):  # the ingester's batches, one commit each
            handle_batch(writer, msgs[start:start + 20])
        committed_at_end.update(_doc_ids(db_path))
        writer.conn.close()

    (tmp_path / "backups").mkdir()
    t = threading.Thread(target=burst)
    t.start()
    result = backup(db_path, tmp_path / "backups", keep=3)
    t.join(timeout=60)
    db.conn.close()
    assert result.path.exists() and result.path.parent.name == "backups"
    assert not list(result.path.parent.glob(".*partial"))
    # Restored somewhere new: passes the checks, and holds every document committed before the
    # backup began plus whole documents only (page, text and search entry together).
    target = tmp_path / "restored" / "index.db"
    res = restore(result.path, target)
    got = _doc_ids(target)
    assert before <= got <= committed_at_end and res.documents == len(got) == result.documents
    with sqlite3.connect(target) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert c.execute("select count(*) from documents_fts").fetchone()[0] == len(got)
        assert c.execute("select count(*) from documents where complete_at is null").fetchone()[0] == 0


def test_restore_refuses_while_a_service_holds_the_index_and_keeps_the_old_one(tmp_path):
    db_path = tmp_path / "index.db"
    db = open_index(db_path)
    handle_batch(db, _messages(3))
    db.conn.close()
    copy = backup(db_path, tmp_path / "copy.db")
    assert copy.documents == 3
    held = os.open(lock_path(db_path), os.O_RDWR | os.O_CREAT)
    fcntl.flock(held, fcntl.LOCK_SH)  # as `hub ingest` holds it while it runs
    with pytest.raises(IndexInUse):
        restore(copy.path, db_path)
    os.close(held)
    db = open_index(db_path)
    handle_batch(db, _messages(2))  # written after the backup: the restore goes back before it
    db.conn.close()
    res = restore(copy.path, db_path)
    assert res.documents == 3 and res.previous is not None and len(_doc_ids(res.previous)) == 5


def test_a_damaged_or_foreign_file_is_not_restored(tmp_path):
    db_path = tmp_path / "index.db"
    db = open_index(db_path)
    handle_batch(db, _messages(2))
    db.conn.close()
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(BackupError):
        restore(junk, db_path)
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as c:
        c.execute("create table t (x)")
    with pytest.raises(BackupError, match="not a city index"):
        restore(other, db_path)
    newer = backup(db_path, tmp_path / "newer.db").path
    with sqlite3.connect(newer) as c:
        c.execute("insert into _migrations (name, applied_at) values ('999_future', '')")
    with pytest.raises(BackupError, match="newer version"):
        restore(newer, db_path)
    assert len(_doc_ids(db_path)) == 2  # untouched


def test_backup_and_restore_commands(tmp_path, capsys):
    db_path = tmp_path / "index.db"
    db = open_index(db_path)
    handle_batch(db, _messages(2))
    db.conn.close()
    dest = tmp_path / "nightly"
    dest.mkdir()
    for _ in range(3):
        assert hub_main(["backup", "--db", str(db_path), str(dest), "--keep", "2"]) == 0
        time.sleep(1.05)  # names have one-second resolution
    kept = sorted(dest.glob("index-*.db"))
    assert len(kept) == 2
    hold_index(db_path)  # this process now acts as a running service
    assert hub_main(["restore", "--db", str(db_path), str(kept[-1])]) == IndexInUse.exit_code
    assert "in use" in capsys.readouterr().err
