"""WalSync: what waits on a commit runs only once the log is on disk, in order, one fsync for several."""
from __future__ import annotations

import os
import threading
import time

from hub.index import WalSync, open_index


def test_callbacks_run_after_an_fsync_of_the_log_in_order(tmp_path, monkeypatch):
    path = tmp_path / "i.db"
    db = open_index(path)
    db.execute("PRAGMA synchronous=NORMAL")
    synced: list[int] = []
    events: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        real_fsync(fd)
        synced.append(os.fstat(fd).st_ino)
        events.append("fsync")

    monkeypatch.setattr(os, "fsync", fsync)
    sync = WalSync(path)
    sync.start()
    for k in range(5):
        with db.conn:
            db.execute("insert into dedup_state (key, value) values (?, ?)", [f"k{k}", str(k)])
        sync.after(lambda k=k: events.append(f"ack{k}"))
    sync.stop()
    acks = [e for e in events if e.startswith("ack")]
    assert acks == [f"ack{k}" for k in range(5)]
    assert events[0] == "fsync"  # nothing acknowledged before the first fsync
    assert 1 <= events.count("fsync") <= 5
    assert set(synced) == {os.stat(f"{path}-wal").st_ino}


def test_a_callback_that_fails_does_not_stop_the_others(tmp_path):
    path = tmp_path / "i.db"
    open_index(path)
    ran: list[int] = []
    sync = WalSync(path)
    sync.start()
    sync.after(lambda: 1 / 0)
    sync.after(lambda: ran.append(1))
    sync.stop()
    assert ran == [1]


def test_nothing_is_acknowledged_while_the_disk_refuses_the_sync(tmp_path, monkeypatch):
    path = tmp_path / "i.db"
    open_index(path)
    events: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        if "failed" not in events:
            events.append("failed")
            raise OSError(5, "Input/output error")
        real_fsync(fd)
        events.append("fsync")

    monkeypatch.setattr(os, "fsync", fsync)
    sync = WalSync(path)
    sync.start()
    acked = threading.Event()
    sync.after(lambda: (events.append("ack"), acked.set()))
    assert acked.wait(10)  # retried a second later
    sync.stop()
    assert events[:3] == ["failed", "fsync", "ack"]  # (stopping syncs once more)
    assert sync.last_error == ""
    # Asked to stop while the disk still refuses: it gives up without acknowledging.
    events.clear()
    monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(28, "No space left on device")))
    sync = WalSync(path)
    sync.start()
    sync.after(lambda: events.append("ack"))
    sync.stop()
    assert events == [] and "No space" in sync.last_error
    # ... also when the stop comes while it is already retrying.
    sync = WalSync(path)
    sync.start()
    sync.after(lambda: events.append("ack"))
    deadline = time.monotonic() + 10
    while not sync.last_error and time.monotonic() < deadline:
        time.sleep(0.01)
    began = time.monotonic()
    sync.stop()
    assert time.monotonic() - began < 5 and not sync._thread.is_alive()
    assert events == []
