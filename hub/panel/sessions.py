"""Server-side panel sessions: the signed cookie carries a random id, the index says who it is.

A cookie is worth something only while its row exists, so logout, a password change or
deleting the account ends it on every browser, and a copied cookie dies with the row.
Only a hash of the id is stored: a copy of the index does not hand out live sessions.
"""
from __future__ import annotations

import hashlib
import secrets
import time

import sqlite_utils

# Writing last_seen on every request would make each page view a write that waits on the
# ingester's lock; a minute's precision is plenty against a 30-minute idle limit.
TOUCH_EVERY_S = 60.0


def _hash(sid: str) -> str:
    return hashlib.sha256(sid.encode("ascii", "replace")).hexdigest()


def start(db: sqlite_utils.Database, username: str, *, now: float | None = None) -> str:
    """Open a session for ``username``; return the id to put in the cookie."""
    now = time.time() if now is None else now
    sid = secrets.token_urlsafe(32)
    with db.conn:
        db["panel_sessions"].insert(
            {"sid_hash": _hash(sid), "username": username, "created_at": now, "last_seen": now}
        )
    return sid


def resume(db: sqlite_utils.Database, sid: str, *, lifetime_s: float, idle_s: float,
           now: float | None = None) -> str | None:
    """The user name of a live session ``sid``, or ``None`` (unknown, too old or idle too long)."""
    now = time.time() if now is None else now
    key = _hash(sid)
    found = list(db.query("select username, created_at, last_seen from panel_sessions "
                          "where sid_hash = ?", [key]))
    if not found:
        return None
    row = found[0]
    if now - row["created_at"] > lifetime_s or now - row["last_seen"] > idle_s:
        end(db, sid)
        return None
    if now - row["last_seen"] > TOUCH_EVERY_S:
        with db.conn:
            db.execute("update panel_sessions set last_seen = ? where sid_hash = ?", [now, key])
    return row["username"]


def end(db: sqlite_utils.Database, sid: str) -> None:
    """End one session (logout)."""
    with db.conn:
        db.execute("delete from panel_sessions where sid_hash = ?", [_hash(sid)])


def end_all(db: sqlite_utils.Database, username: str, *, keep: str | None = None) -> int:
    """End every session of ``username`` (but ``keep``, the caller's own); return how many."""
    with db.conn:
        cur = db.execute("delete from panel_sessions where username = ? and sid_hash != ?",
                         [username, _hash(keep) if keep else ""])
    return cur.rowcount


def purge(db: sqlite_utils.Database, *, lifetime_s: float, now: float | None = None) -> None:
    """Drop sessions past their absolute lifetime (run at sign-in, so the table stays small)."""
    now = time.time() if now is None else now
    with db.conn:
        db.execute("delete from panel_sessions where created_at < ?", [now - lifetime_s])
