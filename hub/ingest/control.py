"""Fleet control written by the panel, published by the ingester.

The panel records a new desired configuration (next version) or a command in the index;
the ingester's writer publishes it (config retained, so a kiosk that was off gets it on
connect; commands not retained, with an expiry so a command queued for an offline kiosk is
not run hours later) and marks it on PUBACK. The kiosk reports the config version it
applied in its status and metrics, and answers commands on ``kiosk/<id>/cmdack``.
"""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlite_utils

from edge.wire import (
    COMMANDS,
    DEVICE_ID_RE,
    WireError,
    check_settings,
    check_update_args,
    new_id,
    now_iso,
)
from hub.index.db import immediate

COMMAND_TTL = timedelta(minutes=10)


class ControlError(ValueError):
    """A config or command the panel cannot send (unknown key, bad value, unknown kiosk)."""


def set_desired_config(db: sqlite_utils.Database, device_id: str, settings: dict[str, Any], *,
                       set_by: str) -> int:
    """Merge ``settings`` into the kiosk's desired config as a new version; return the version."""
    if not DEVICE_ID_RE.match(device_id):
        raise ControlError(f"invalid device id {device_id!r}")
    try:
        clean = check_settings(settings)
    except WireError as e:
        raise ControlError(str(e)) from e
    with immediate(db):  # read, then write: take the write lock first
        row = db.execute("select version, settings from device_config where device_id = ?",
                         [device_id]).fetchone()
        merged = {**(json.loads(row[1]) if row else {}), **clean}
        version = (row[0] if row else 0) + 1
        db["device_config"].upsert({"device_id": device_id, "version": version,
                                    "settings": json.dumps(merged, sort_keys=True),
                                    "set_at": now_iso(), "set_by": set_by, "published_at": None},
                                   pk="device_id")
    return version


def desired_config(db: sqlite_utils.Database, device_id: str) -> dict[str, Any] | None:
    """The desired config row of a kiosk (settings decoded), or None."""
    row = next(db.query("select * from device_config where device_id = ?", [device_id]), None)
    if row:
        row["settings"] = json.loads(row["settings"])
    return row


def queue_command(db: sqlite_utils.Database, device_id: str, action: str, *, issued_by: str,
                  ttl: timedelta = COMMAND_TTL, args: dict[str, Any] | None = None) -> str:
    """Queue an operator command for a kiosk; return its id."""
    if not DEVICE_ID_RE.match(device_id):
        raise ControlError(f"invalid device id {device_id!r}")
    if action not in COMMANDS:
        raise ControlError(f"unknown command {action!r}; allowed: {', '.join(COMMANDS)}")
    try:
        args = check_update_args(args) if action == "update" else {}
    except WireError as e:
        raise ControlError(str(e)) from e
    command_id = new_id()
    now = datetime.now(UTC)
    with db.atomic():
        db["device_commands"].insert({
            "command_id": command_id, "device_id": device_id, "action": action,
            "issued_at": now.isoformat(timespec="seconds"), "issued_by": issued_by,
            "expires_at": (now + ttl).isoformat(timespec="seconds"),
            "args": json.dumps(args) if args else None,
        })
    return command_id


def recent_commands(db: sqlite_utils.Database, device_id: str, limit: int = 10) -> list[dict]:
    """Newest commands of a kiosk with their answers."""
    return list(db.query("select * from device_commands where device_id = ? "
                         "order by issued_at desc limit ?", [device_id, limit]))
