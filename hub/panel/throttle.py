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

from hub.index.db import immediate

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

    def minutes_left(self, now: float | None = None) -> int:
        """Whole minutes until the lockout ends (one at least), for the message that says so."""
        now = time.time() if now is None else now
        return max(1, round((self.until - now) / 60))


def _keys(username: str, addr: str) -> list[tuple[str, int, float]]:
    return [(f"user:{username.lower()}", USER_LIMIT, USER_WINDOW_S),
            (f"addr:{addr}", ADDR_LIMIT, ADDR_WINDOW_S)]


def _lock_of(db: sqlite_utils.Database, keys: list[str], now: float) -> Locked | None:
    found = list(db.query("select max(locked_until) as until from login_throttle "
                          "where key in (?, ?) and locked_until > ?", [*keys, now]))
    until = found[0]["until"] if found else None
    return Locked(until) if until else None


def check(db: sqlite_utils.Database, username: str, addr: str, *,
          now: float | None = None) -> Locked | None:
    """``Locked`` if the name or the address is locked out now, else ``None``."""
    now = time.time() if now is None else now
    return _lock_of(db, [k for k, _, _ in _keys(username, addr)], now)


def attempt(db: sqlite_utils.Database, username: str, addr: str, *,
            now: float | None = None) -> Locked | None:
    """Admit one sign-in attempt, counted as failed until :func:`succeeded` says otherwise;
    ``Locked`` (and not counted) if the name or the address is locked out.

    Counted before the password is checked, in one write transaction: a password check takes
    ~0.1 s, and guesses sent in parallel must not all slip in before the first is counted.
    """
    now = time.time() if now is None else now
    keys = _keys(username, addr)
    with immediate(db):
        locked = _lock_of(db, [k for k, _, _ in keys], now)
        if locked:
            return locked
        for key, limit, window in keys:
            rows = list(db.query("select failures, window_start from login_throttle where key = ?",
                                 [key]))
            if not rows or now - rows[0]["window_start"] > window:
                failures, start = 1, now
            else:
                failures, start = rows[0]["failures"] + 1, rows[0]["window_start"]
            until = now + LOCKOUT_S if failures >= limit else 0.0
            db.execute("insert or replace into login_throttle (key, failures, window_start, "
                       "locked_until) values (?, ?, ?, ?)", [key, failures, start, until])
    return None


def failed(db: sqlite_utils.Database, username: str, addr: str, *, now: float | None = None) -> None:
    """Count a failed sign-in against the name and the address (an attempt that stays failed)."""
    attempt(db, username, addr, now=now)


def succeeded(db: sqlite_utils.Database, username: str, addr: str) -> None:
    """Take back the attempt: forget the name's failures, and this one of the address's."""
    with immediate(db):
        db.execute("delete from login_throttle where key = ?", [f"user:{username.lower()}"])
        db.execute("update login_throttle set failures = max(failures - 1, 0), locked_until = "
                   "case when failures - 1 < ? then 0 else locked_until end where key = ?",
                   [ADDR_LIMIT, f"addr:{addr}"])


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
