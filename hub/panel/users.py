"""Operator accounts in the ``users`` table, passwords hashed with werkzeug (scrypt), with a role."""
from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cache
from importlib import resources

import sqlite_utils
from werkzeug.security import check_password_hash, generate_password_hash

from hub.panel.exceptions import InvalidRole, InvalidUsername, UnknownUser, UserExists, WeakPassword

# NIST SP 800-63B: length and a list of known-bad passwords, not composition rules. Ten
# characters: with sign-in throttled to a few guesses per quarter hour, a password outside
# the attackers' lists and at least this long is out of reach of online guessing.
MIN_PASSWORD_LEN = 10
ROLES = ("admin", "operator")
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{2,64}$")
# Digits, punctuation and spaces people add around a common word to pass a length rule.
_PADDING = re.compile(r"^[\d\W_]+|[\d\W_]+$")
_RUNS = ("0123456789012345678901234567890", "9876543210987654321098765432109",
         "qwertyuiopasdfghjklzxcvbnm", "mnbvcxzlkjhgfdsapoiuytrewq")
# Checked against when the user does not exist, so a wrong name costs the same time as a
# wrong password and response timing does not reveal which accounts exist.
_DUMMY_HASH = generate_password_hash("not-a-real-password-for-timing")


@cache
def common_passwords() -> frozenset[str]:
    """The embedded list of passwords attackers try first (lower case)."""
    text = resources.files("hub.panel").joinpath("data/common-passwords.txt").read_text("utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


def password_problem(password: str, username: str = "") -> str | None:
    """Why ``password`` is refused (English, for the log and CLI), or ``None`` if it is fine."""
    if len(password) < MIN_PASSWORD_LEN:
        return f"password shorter than {MIN_PASSWORD_LEN} characters"
    low = password.lower()
    core = _PADDING.sub("", low)
    common = common_passwords()
    if low in common or core in common:
        return "password is on the list of common passwords (or one of them with digits added)"
    if len(set(low)) < 4:
        return "password repeats too few different characters"
    if any(low in run for run in _RUNS):
        return "password is a run of keys or digits"
    if username and username.lower() in low:
        return "password contains the user name"
    return None


def _check_password(password: str, username: str = "") -> None:
    problem = password_problem(password, username)
    if problem:
        raise WeakPassword(problem)


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise InvalidRole(f"role must be one of {', '.join(ROLES)}, not {role!r}")


def get_user(db: sqlite_utils.Database, username: str) -> dict | None:
    """The user row (without the hash) or ``None``."""
    rows = list(db.query(
        "select username, display_name, role, created_at from users where username = ?", [username]
    ))
    return rows[0] if rows else None


def create_user(
    db: sqlite_utils.Database, username: str, password: str, display_name: str = "",
    role: str = "operator",
) -> None:
    """Add an account; raise InvalidUsername, InvalidRole, UserExists or WeakPassword."""
    if not USERNAME_RE.match(username):
        raise InvalidUsername("username must be 2-64 ASCII letters, digits, '.', '_' or '-'")
    _check_role(role)
    _check_password(password, username)
    if get_user(db, username) is not None:
        raise UserExists(f"user {username!r} already exists")
    with db.conn:
        db["users"].insert({
            "username": username,
            "password_hash": generate_password_hash(password),
            "display_name": display_name,
            "role": role,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        })


def set_password(db: sqlite_utils.Database, username: str, password: str) -> None:
    """Replace a password and end every session of that account; raise UnknownUser or WeakPassword."""
    from hub.panel.sessions import end_all

    _check_password(password, username)
    if get_user(db, username) is None:
        raise UnknownUser(f"no user {username!r}")
    with db.conn:
        db["users"].update(username, {"password_hash": generate_password_hash(password)})
    end_all(db, username)


def update_user(db: sqlite_utils.Database, username: str, *, role: str | None = None,
                display_name: str | None = None) -> None:
    """Change an account's role or display name; raise UnknownUser or InvalidRole."""
    if get_user(db, username) is None:
        raise UnknownUser(f"no user {username!r}")
    changes: dict[str, str] = {}
    if role is not None:
        _check_role(role)
        changes["role"] = role
    if display_name is not None:
        changes["display_name"] = display_name
    if changes:
        with db.conn:
            db["users"].update(username, changes)


def delete_user(db: sqlite_utils.Database, username: str) -> None:
    """Remove an account and its sessions; raise UnknownUser."""
    from hub.panel.sessions import end_all

    if get_user(db, username) is None:
        raise UnknownUser(f"no user {username!r}")
    with db.conn:
        db["users"].delete(username)
    end_all(db, username)


def verify_user(db: sqlite_utils.Database, username: str, password: str) -> bool:
    """True if ``username`` exists and ``password`` matches; same cost either way."""
    rows = list(db.query("select password_hash from users where username = ?", [username]))
    if not rows:
        check_password_hash(_DUMMY_HASH, password)
        return False
    return check_password_hash(rows[0]["password_hash"], password)
