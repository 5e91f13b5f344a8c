"""Sign-in throttling: too many failures lock a user name, or an address, for a while.

Counted per user name whether or not the account exists (so a lockout does not reveal
which names are real) and per client address (so one machine cannot spray a password
over every name). A lockout refuses even the right password until it ends or an admin
lifts it (``hub user NAME --unlock``).
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import sqlite_utils

# Product decision: a clerk who mistypes gets five tries a minute; a guesser gets five
# per quarter hour per name (480 a day), which no password passing the password rule
# survives being guessed at for centuries. One address may fail 30 times in 15 minutes
# (an office behind one NAT address has a few dozen clerks) before it is locked as well.
USER_LIMIT, USER_WINDOW_S = 5, 60.0
ADDR_LIMIT, ADDR_WINDOW_S = 30, 15 * 60.0
LOCKOUT_S = 15 * 60.0


@dataclass(frozen=True)
class Locked:
    """Sign-in refused until ``until`` (epoch seconds)."""

    until: float


def _keys(username: str, addr: str) -> list[tuple[str, int, float]]:
    return [(f"user:{username.lower()}", USER_LIMIT, USER_WINDOW_S),
            (f"addr:{addr}", ADDR_LIMIT, ADDR_WINDOW_S)]


def check(db: sqlite_utils.Database, username: str, addr: str, *,
          now: float | None = None) -> Locked | None:
    """``Locked`` if the name or the address is locked out now, else ``None``."""
    now = time.time() if now is None else now
    keys = [k for k, _, _ in _keys(username, addr)]
    found = list(db.query("select max(locked_until) as until from login_throttle "
                          "where key in (?, ?) and locked_until > ?", [*keys, now]))
    until = found[0]["until"] if found else None
    return Locked(until) if until else None


def failed(db: sqlite_utils.Database, username: str, addr: str, *, now: float | None = None) -> None:
    """Count a failed sign-in against the name and the address, locking what reached its limit."""
    now = time.time() if now is None else now
    with db.conn:
        for key, limit, window in _keys(username, addr):
            rows = list(db.query("select failures, window_start from login_throttle where key = ?",
                                 [key]))
            if not rows or now - rows[0]["window_start"] > window:
                failures, start = 1, now
            else:
                failures, start = rows[0]["failures"] + 1, rows[0]["window_start"]
            locked = now + LOCKOUT_S if failures >= limit else 0.0
            db.execute("insert or replace into login_throttle (key, failures, window_start, "
                       "locked_until) values (?, ?, ?, ?)", [key, failures, start, locked])


def succeeded(db: sqlite_utils.Database, username: str) -> None:
    """Forget the name's failures after a successful sign-in (the address keeps its count)."""
    unlock(db, username)


def unlock(db: sqlite_utils.Database, username: str) -> bool:
    """Lift a lockout of ``username``; True if there was anything to lift."""
    with db.conn:
        cur = db.execute("delete from login_throttle where key = ?", [f"user:{username.lower()}"])
    return cur.rowcount > 0


def unlock_address(db: sqlite_utils.Database, addr: str) -> bool:
    """Lift a lockout of a client address; True if there was anything to lift."""
    with db.conn:
        cur = db.execute("delete from login_throttle where key = ?", [f"addr:{addr}"])
    return cur.rowcount > 0
