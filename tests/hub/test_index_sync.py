"""WalSync: what waits on a commit runs only once the log is on disk, in order, one fsync for several."""
from __future__ import annotations

import os

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
