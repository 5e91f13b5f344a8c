"""Screen ``devices`` (``/``): the kiosk fleet, its health and backlog, refreshed every 10 s;
``/devices/<id>``: one kiosk's throughput chart, desired configuration and commands."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response

from edge import exceptions as edge_exceptions
from edge.wire import COMMANDS, CONFIG_KEYS, SETTING_LIMITS, SettingError, check_settings
from hub.ingest.control import (
    ControlError,
    desired_config,
    queue_command,
    recent_commands,
    set_desired_config,
)
from hub.panel.auth import admin_required
from hub.panel.db import get_db
from hub.panel.strings import VI, t
from hub.panel.timefmt import LOCAL_TZ, age_seconds, human, local_time

bp = Blueprint("devices", __name__)

REFRESH_S = 10
# A kiosk is "lost" after this many metrics intervals without a message.
MISSED_INTERVALS = 3
CHART_HOURS = 24
# Commands that interrupt the kiosk or delete files on it ask the operator first.
CONFIRM = ("restart", "prune_spool")


def _error_messages() -> dict[str, str]:
    """Kiosks report an EdgeError code as ``last_error``; show its Vietnamese message."""
    out = {}
    for obj in vars(edge_exceptions).values():
        if isinstance(obj, type) and issubclass(obj, edge_exceptions.EdgeError):
            out[obj.code] = obj.message_vi
    return out


_ERROR_MESSAGES = _error_messages()


def device_status(
    state: str | None, last_seen: str | None, *, now: datetime, stale_after_s: float,
    interval_s: float | None = None,
) -> str:
    """``offline`` if the kiosk said so (birth/will), ``lost`` if silent too long, else ``online``.

    Silent too long = three of its own metrics intervals when it reports one, else ``stale_after_s``.
    """
    if state == "offline":
        return "offline"
    limit = MISSED_INTERVALS * interval_s if interval_s else stale_after_s
    age = age_seconds(last_seen, now=now)
    if age is None or age > limit:
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
    outbox_oldest_s: float = 0.0
    ocr_ms_per_page: float = 0.0
    disk_free_mb: float = 0.0
    temperature_c: float | None = None
    config_version: int = 0
    desired_version: int = 0
    config_error: str = ""
    software_version: str = ""  # the project's version the kiosk runs (its status message)
    software_detail: str = ""  # build, Tesseract and its data, fingerprint version, OS
    software_label: str = ""  # in words, for the table
    outdated: bool = False  # older than the newest version in the fleet or on the hub
    update_state: str = ""  # the last update's state, e.g. "rolled_back 0.2.0: ..."


def _version_key(version: str) -> tuple:
    """'0.10.2' sorts after '0.9.1'; a non-numeric part sorts as text after the numbers."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in version.replace("-", ".").split("."))


def _software(raw: str | None) -> dict:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _newest_version(db, softwares: list[dict]) -> str:  # noqa: ANN001
    known = [str(s.get("version")) for s in softwares if s.get("version")]
    if "releases" in db.table_names():
        known += [r[0] for r in db.execute("select version from releases")]
    return max(known, key=_version_key) if known else ""


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
        "select d.device_id, state, last_seen, pages_today, outbox_depth, ocr_backlog,"
        " scanner_state, last_error, interval_s, outbox_oldest_s, ocr_ms_per_page, disk_free_mb,"
        " temperature_c, config_version, config_error, c.version as desired_version, software"
        " from devices d left join device_config c on c.device_id = d.device_id order by d.device_id"
    )
    rows = list(rows)
    softwares = [_software(r["software"]) for r in rows]
    newest = _newest_version(get_db(), softwares)
    out = []
    for r, sw in zip(rows, softwares, strict=True):
        version = str(sw.get("version") or "")
        outdated = bool(version and newest and _version_key(version) < _version_key(newest))
        detail = ", ".join(f"{k} {sw[k]}" for k in ("build", "tesseract", "tessdata", "fingerprint", "os")
                           if sw.get(k) not in (None, ""))
        status = device_status(r["state"], r["last_seen"], now=now, stale_after_s=stale,
                               interval_s=r["interval_s"])
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
            outbox_oldest_s=r["outbox_oldest_s"] or 0.0,
            ocr_ms_per_page=r["ocr_ms_per_page"] or 0.0,
            disk_free_mb=r["disk_free_mb"] or 0.0,
            temperature_c=r["temperature_c"],
            config_version=r["config_version"] or 0,
            desired_version=r["desired_version"] or 0,
            config_error=r["config_error"] or "",
            software_version=version,
            software_detail=detail,
            software_label=(t("devices.software.outdated").format(v=version, newest=newest) if outdated
                            else version or t("devices.software.unknown")),
            outdated=outdated,
            update_state=str(sw.get("update") or ""),
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


# -- one kiosk -----------------------------------------------------------------------------------
def throughput(device_id: str, *, now: datetime, hours: int = CHART_HOURS) -> list[dict]:
    """Documents indexed from a kiosk per hour over the last ``hours`` hours, oldest first."""
    start = (now - timedelta(hours=hours - 1)).replace(minute=0, second=0, microsecond=0)
    counts = {r["hour"]: r["n"] for r in get_db().query(
        "select substr(received_at, 1, 13) as hour, count(*) as n from documents "
        "where device_id = ? and received_at >= ? group by hour",
        [device_id, start.isoformat(timespec="seconds")])}
    out = []
    for i in range(hours):
        t = start + timedelta(hours=i)
        key = t.isoformat(timespec="seconds")[:13]
        out.append({"hour": t.astimezone(LOCAL_TZ).strftime("%H"), "at": key, "n": counts.get(key, 0)})
    return out


def chart_svg_bars(series: list[dict], *, width: int = 720, height: int = 160) -> dict:
    """Geometry of a small bar chart (drawn inline as SVG by the template, no external library)."""
    top = max([s["n"] for s in series] + [1])
    step = width / max(len(series), 1)
    bars = []
    for i, s in enumerate(series):
        h = 0 if not s["n"] else max(1.0, (height - 20) * s["n"] / top)
        bars.append({"x": round(i * step + 1, 1), "y": round(height - 16 - h, 1),
                     "w": round(step - 2, 1), "h": round(h, 1), "n": s["n"], "label": s["hour"],
                     "at": s["at"]})
    return {"width": width, "height": height, "top": top, "bars": bars}


@bp.route("/devices/<device_id>")
def detail(device_id: str) -> str:
    """One kiosk: health, throughput chart, desired configuration, commands."""
    now = datetime.now(UTC)
    row = next((d for d in fleet(now=now) if d.device_id == device_id), None)
    if row is None:
        abort(404)
    db = get_db()
    confirm = request.args.get("confirm", "")
    return render_template(
        "devices/detail.html", d=row, chart=chart_svg_bars(throughput(device_id, now=now)),
        desired=desired_config(db, device_id), commands=recent_commands(db, device_id),
        config_keys=sorted(CONFIG_KEYS), command_names=COMMANDS,
        limits={k: (number_vi(lo), number_vi(hi)) for k, (lo, hi) in SETTING_LIMITS.items()},
        confirm=confirm if confirm in CONFIRM else "", num=number_vi,
    )


def number_vi(value: float) -> str:
    """A number as Vietnamese write it: 1.000.000, 0,5."""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    return f"{value:g}".replace(".", ",")


def _field_error(e: SettingError) -> str:
    """The Vietnamese message for a refused setting, naming the field as the form does."""
    field = t(f"devices.config.key.{e.key}") if e.key in CONFIG_KEYS else e.key
    if e.low is None or e.high is None:
        return t("devices.config.bad_value")
    key = "devices.config.bad_whole" if CONFIG_KEYS.get(e.key) is int else "devices.config.bad_field"
    return t(key).format(field=field, low=number_vi(e.low), high=number_vi(e.high))


@bp.route("/devices/<device_id>/config", methods=["POST"])
@admin_required
def set_config(device_id: str) -> Response:
    """Push a new desired configuration version (retained on the broker by the ingester)."""
    settings: dict[str, float] = {}
    errors = []
    for key in CONFIG_KEYS:
        raw = request.form.get(key, "").strip().replace(",", ".")  # 1,5 as typed in Vietnamese
        if not raw:
            continue
        low, high = SETTING_LIMITS[key]
        try:
            # The one validator the ingester and the kiosk use too: a value it passes, the
            # kiosk applies.
            settings.update(check_settings({key: float(raw)}))
        except ValueError:  # not a number at all ("abc"), or SettingError (nan, out of range)
            errors.append(_field_error(SettingError(raw, key=key, low=low, high=high)))
    for message in errors:
        flash(message, "error")
    if errors:
        return redirect(url_for("devices.detail", device_id=device_id))
    if not settings:
        flash(t("devices.config.empty"), "error")
        return redirect(url_for("devices.detail", device_id=device_id))
    try:
        version = set_desired_config(get_db(), device_id, settings, set_by=_user())
    except ControlError:
        flash(t("devices.config.bad_value"), "error")
    else:
        flash(t("devices.config.queued").format(version=version), "info")
    return redirect(url_for("devices.detail", device_id=device_id))


@bp.route("/devices/<device_id>/command", methods=["POST"])
@admin_required
def command(device_id: str) -> Response:
    """Queue one operator command for the kiosk (never retained; expires after 10 minutes).

    A restart or a clean-up is queued only once confirmed (``confirmed=1``, sent by the
    confirmation the page shows first; no script needed)."""
    action = request.form.get("action", "")
    if action in CONFIRM and request.form.get("confirmed") != "1":
        return redirect(url_for("devices.detail", device_id=device_id, confirm=action) + "#commands-form")
    try:
        queue_command(get_db(), device_id, action, issued_by=_user())
    except ControlError:
        abort(400)
    flash(t("devices.command.queued"), "info")
    return redirect(url_for("devices.detail", device_id=device_id))


def _user() -> str:
    user = getattr(g, "user", None)
    if isinstance(user, dict):
        return str(user.get("username", ""))
    return str(getattr(user, "username", "") or "")
