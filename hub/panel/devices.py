"""Screen ``devices`` (``/``): the kiosk fleet, its health and backlog, refreshed every 10 s."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from flask import Blueprint, current_app, jsonify, render_template
from werkzeug.wrappers import Response

from edge import exceptions as edge_exceptions
from hub.panel.db import get_db
from hub.panel.strings import VI, t
from hub.panel.timefmt import LOCAL_TZ, age_seconds, human, local_time

bp = Blueprint("devices", __name__)

REFRESH_S = 10


def _error_messages() -> dict[str, str]:
    """Kiosks report an EdgeError code as ``last_error``; show its Vietnamese message."""
    out = {}
    for obj in vars(edge_exceptions).values():
        if isinstance(obj, type) and issubclass(obj, edge_exceptions.EdgeError):
            out[obj.code] = obj.message_vi
    return out


_ERROR_MESSAGES = _error_messages()


def device_status(
    state: str | None, last_seen: str | None, *, now: datetime, stale_after_s: float
) -> str:
    """``offline`` if the kiosk said so (birth/will), ``lost`` if silent too long, else ``online``."""
    if state == "offline":
        return "offline"
    age = age_seconds(last_seen, now=now)
    if age is None or age > stale_after_s:
        return "lost"
    return "online"


@dataclass(frozen=True)
class DeviceRow:
    """One line of the fleet table, already in words."""

    device_id: str
    status: str
    status_label: str
    last_seen: str
    last_seen_local: str
    last_seen_human: str
    pages_today: int
    outbox_depth: int
    ocr_backlog: int
    scanner_state: str
    scanner_label: str
    last_error: str
    last_error_label: str


def _scanner_label(state: str | None) -> str:
    if not state:
        return t("scanner.unknown")
    key = f"scanner.{state}"
    return t(key) if key in VI else state


def _error_label(code: str | None) -> str:
    if not code:
        return ""
    return _ERROR_MESSAGES.get(code, code)


def fleet(*, now: datetime | None = None) -> list[DeviceRow]:
    """All known devices, ordered by id, with status computed against ``STALE_AFTER_S``."""
    now = now or datetime.now(UTC)
    stale = float(current_app.config["STALE_AFTER_S"])
    rows = get_db().query(
        "select device_id, state, last_seen, pages_today, outbox_depth, ocr_backlog,"
        " scanner_state, last_error from devices order by device_id"
    )
    out = []
    for r in rows:
        status = device_status(r["state"], r["last_seen"], now=now, stale_after_s=stale)
        out.append(DeviceRow(
            device_id=r["device_id"],
            status=status,
            status_label=t(f"device.{status}"),
            last_seen=r["last_seen"] or "",
            last_seen_local=local_time(r["last_seen"]),
            last_seen_human=human(r["last_seen"], now=now),
            pages_today=r["pages_today"] or 0,
            outbox_depth=r["outbox_depth"] or 0,
            ocr_backlog=r["ocr_backlog"] or 0,
            scanner_state=r["scanner_state"] or "",
            scanner_label=_scanner_label(r["scanner_state"]),
            last_error=r["last_error"] or "",
            last_error_label=_error_label(r["last_error"]),
        ))
    return out


def _summary(devices: list[DeviceRow]) -> dict[str, int]:
    counts = {"online": 0, "offline": 0, "lost": 0}
    for d in devices:
        counts[d.status] += 1
    return counts


@bp.route("/")
def index() -> str:
    """Fleet table."""
    now = datetime.now(UTC)
    devices = fleet(now=now)
    return render_template(
        "devices/index.html", devices=devices, summary=_summary(devices),
        updated=now.astimezone(LOCAL_TZ).strftime("%H:%M:%S"), refresh_s=REFRESH_S,
    )


@bp.route("/api/devices")
def api_devices() -> Response:
    """The fleet table as JSON, for the page's auto-refresh."""
    now = datetime.now(UTC)
    devices = fleet(now=now)
    return jsonify(
        devices=[asdict(d) for d in devices], summary=_summary(devices),
        updated=now.astimezone(LOCAL_TZ).strftime("%H:%M:%S"),
    )
