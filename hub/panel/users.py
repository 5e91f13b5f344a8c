"""Operator accounts in the ``users`` table, passwords hashed with werkzeug (scrypt)."""
from __future__ import annotations

import re
from datetime import UTC, datetime

import sqlite_utils
from werkzeug.security import check_password_hash, generate_password_hash

from hub.panel.exceptions import InvalidUsername, UnknownUser, UserExists, WeakPassword

MIN_PASSWORD_LEN = 8
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{2,64}$")
# Checked against when the user does not exist, so a wrong name costs the same time as a
# wrong password and response timing does not reveal which accounts exist.
_DUMMY_HASH = generate_password_hash("not-a-real-password-for-timing")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LEN:
        raise WeakPassword(f"password shorter than {MIN_PASSWORD_LEN} characters")


def get_user(db: sqlite_utils.Database, username: str) -> dict | None:
    """The user row (without the hash) or ``None``."""
    rows = list(db.query(
        "select username, display_name, created_at from users where username = ?", [username]
    ))
    return rows[0] if rows else None


def create_user(
    db: sqlite_utils.Database, username: str, password: str, display_name: str = ""
) -> None:
    """Add an operator; raise InvalidUsername, UserExists or WeakPassword."""
    if not USERNAME_RE.match(username):
        raise InvalidUsername("username must be 2-64 ASCII letters, digits, '.', '_' or '-'")
    _check_password(password)
    if get_user(db, username) is not None:
        raise UserExists(f"user {username!r} already exists")
    with db.conn:
        db["users"].insert({
            "username": username,
            "password_hash": generate_password_hash(password),
            "display_name": display_name,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        })


def set_password(db: sqlite_utils.Database, username: str, password: str) -> None:
    """Replace an operator's password; raise UnknownUser or WeakPassword."""
    _check_password(password)
    if get_user(db, username) is None:
        raise UnknownUser(f"no user {username!r}")
    with db.conn:
        db["users"].update(username, {"password_hash": generate_password_hash(password)})


def verify_user(db: sqlite_utils.Database, username: str, password: str) -> bool:
    """True if ``username`` exists and ``password`` matches; same cost either way."""
    rows = list(db.query("select password_hash from users where username = ?", [username]))
    if not rows:
        check_password_hash(_DUMMY_HASH, password)
        return False
    return check_password_hash(rows[0]["password_hash"], password)
