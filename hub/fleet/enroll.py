"""Kiosks enrolled in one step with a one-time code, and retired at once.

``add_device`` registers the kiosk on the broker (a fresh random password, and a client
certificate when the fleet uses TLS), seals those credentials under the key of a new code
(``edge.enrollment``) and keeps only the sealed envelope and a hash of the code's proof.
``redeem`` is what the panel's ``/enroll`` endpoint runs for a kiosk presenting its proof:
a code works once, for its own device id, before it expires; wrong proofs lock the code
after ``MAX_FAILURES``; every address is limited to ``MAX_ATTEMPTS_PER_WINDOW`` tries.
``retire`` removes the kiosk's broker login (and, on a TLS fleet, puts its certificate on the
CRL) and makes the broker reload at once.
"""
from __future__ import annotations

import hmac
import json
import logging
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlite_utils

from edge.enrollment import Code, EnrollError, ca_fingerprint, new_code, proof, proof_digest, seal
from hub.config import HubConfig
from hub.fleet import provisioning
from hub.index.db import rows

log = logging.getLogger(__name__)

# A product decision, not a fit: 5 wrong proofs lock a code (an 80-bit secret is never
# guessed; this only stops a typo loop from hammering the hub), and one address gets 20
# tries per 10 minutes, about one technician's worth of mistakes.
MAX_FAILURES = 5
MAX_ATTEMPTS_PER_WINDOW = 20
ATTEMPT_WINDOW = timedelta(minutes=10)

_REFUSED = {
    "bad_code": ("the code is not valid for this device", "Mã đăng ký không đúng cho thiết bị này.", 403),
    "used": ("the code was already used", "Mã đăng ký đã được dùng. Hãy tạo mã mới trên máy chủ.", 410),
    "expired": ("the code has expired", "Mã đăng ký đã hết hạn. Hãy tạo mã mới trên máy chủ.", 410),
    "locked": ("too many wrong attempts: the code is locked", "Nhập sai quá nhiều lần: mã đã bị khóa. "
               "Hãy tạo mã mới trên máy chủ.", 423),
    "retired": ("the kiosk was retired", "Thiết bị này đã bị thu hồi.", 410),
    "rate_limited": ("too many attempts from this address; wait ten minutes",
                     "Thử quá nhiều lần. Hãy chờ 10 phút rồi thử lại.", 429),
}


def refused(code: str) -> EnrollError:
    """The enrollment error ``code`` with its English detail, Vietnamese message and HTTP status."""
    detail, vi, status = _REFUSED[code]
    return EnrollError(detail, code=code, message_vi=vi, status=status)


@dataclass(frozen=True)
class Enrollment:
    """A kiosk's enrollment as the panel lists it."""

    device_id: str
    name: str
    point: str
    state: str  # pending | enrolled | expired | locked | retired
    created_at: str
    expires_at: str
    used_at: str
    retired_at: str


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _iso(t: datetime) -> str:
    return t.isoformat(timespec="seconds")


def _state(row: dict, now: datetime) -> str:
    if row["retired_at"]:
        return "retired"
    if row["used_at"]:
        return "enrolled"
    if int(row["failures"] or 0) >= MAX_FAILURES:
        return "locked"
    if row["expires_at"] <= _iso(now):
        return "expired"
    return "pending"


def _bundle(cfg: HubConfig, device_id: str, name: str, point: str, password: str) -> tuple[dict, str]:
    fleet = cfg.fleet
    tls = fleet.tls_dir is not None
    bundle: dict = {
        "device_id": device_id, "name": name, "point": point,
        "broker_host": fleet.broker_host or cfg.mqtt.host,
        "broker_port": fleet.broker_port or (8883 if tls else cfg.mqtt.port),
        "username": device_id, "password": password, "tls": tls,
    }
    fingerprint = ""
    if tls:
        with tempfile.TemporaryDirectory() as tmp:
            cert, key, ca = provisioning.issue_certificate(fleet.tls_dir, device_id, Path(tmp))
        bundle.update(cert_pem=cert, key_pem=key, ca_pem=ca)
        fingerprint = ca_fingerprint(ca)
    return bundle, fingerprint


def add_device(db: sqlite_utils.Database, cfg: HubConfig, *, device_id: str, name: str = "",
               point: str = "", by: str, now: datetime | None = None) -> tuple[Code, str]:
    """Register kiosk ``device_id`` and return its one-time code and when the code expires.

    Adding an id again (a lost code, a replaced appliance) issues new credentials and a new
    code; the old ones stop working at the broker's reload.
    """
    if not cfg.fleet.hub_url.startswith(("http://", "https://")):
        raise EnrollError("[fleet] hub_url is not set: the code must say where the hub is "
                          "(e.g. http://10.20.0.1:8080)", code="hub_url_missing",
                          message_vi="Chưa cấu hình địa chỉ máy chủ ([fleet] hub_url).")
    provisioning.validate_device_id(device_id)
    t = _now(now)
    password = provisioning.register(cfg.fleet.broker_dir, device_id)
    bundle, fingerprint = _bundle(cfg, device_id, name, point, password)
    code = new_code(device_id, hub_url=cfg.fleet.hub_url, ca_fingerprint=fingerprint)
    expires = _iso(t + timedelta(hours=cfg.fleet.code_hours))
    with db.conn:
        db.execute("insert into device_enrollments (device_id, name, point, proof_sha256, sealed, created_at, "
                   "created_by, expires_at, used_at, used_from, failures, retired_at, retired_by) "
                   "values (?,?,?,?,?,?,?,?,null,null,0,null,null) on conflict(device_id) do update set "
                   "name = excluded.name, point = excluded.point, proof_sha256 = excluded.proof_sha256, "
                   "sealed = excluded.sealed, created_at = excluded.created_at, created_by = excluded.created_by, "
                   "expires_at = excluded.expires_at, used_at = null, used_from = null, failures = 0, "
                   "retired_at = null, retired_by = null",
                   [device_id, name, point, proof_digest(proof(code)), seal(code, bundle), _iso(t), by, expires])
    provisioning.reload_broker(cfg.fleet.reload_command)
    log.info("enrollment code issued for device %s (expires %s)", device_id, expires)
    return code, expires


def _attempt(db: sqlite_utils.Database, remote: str, device_id: str, ok: bool, t: datetime) -> None:
    db.execute("insert into enroll_attempts (at, remote, device_id, ok) values (?,?,?,?)",
               [_iso(t), remote[:64], device_id[:64], int(ok)])
    db.execute("delete from enroll_attempts where at < ?", [_iso(t - timedelta(days=1))])


def redeem(db: sqlite_utils.Database, *, device_id: str, proof_hex: str, remote: str,
           now: datetime | None = None) -> str:
    """The sealed credentials for a kiosk presenting the right proof; raise EnrollError otherwise.

    The attempt, and a wrong proof's count, are committed before the refusal is raised.
    """
    t = _now(now)
    refusal = ""
    sealed = ""
    with db.conn:
        recent = db.execute("select count(*) from enroll_attempts where remote = ? and at >= ?",
                            [remote[:64], _iso(t - ATTEMPT_WINDOW)]).fetchone()[0]
        found = rows(db, "select * from device_enrollments where device_id = ?", [device_id])
        state = _state(found[0], t) if found else ""
        if recent >= MAX_ATTEMPTS_PER_WINDOW:
            refusal = "rate_limited"
        elif not found:
            refusal = "bad_code"  # an unknown id looks like a wrong code
        elif state != "pending":
            refusal = {"enrolled": "used"}.get(state, state)
        elif not hmac.compare_digest(proof_digest(proof_hex), found[0]["proof_sha256"] or ""):
            db.execute("update device_enrollments set failures = failures + 1 where device_id = ?",
                       [device_id])
            refusal = "bad_code"
        else:
            sealed = found[0]["sealed"]
            db.execute("update device_enrollments set used_at = ?, used_from = ?, sealed = null "
                       "where device_id = ?", [_iso(t), remote[:64], device_id])
        _attempt(db, remote, device_id, not refusal, t)
    if refusal:
        log.warning("enrollment refused (%s)", refusal)
        raise refused(refusal)
    log.info("device %s enrolled", device_id)
    return sealed


def retire(db: sqlite_utils.Database, cfg: HubConfig, *, device_id: str, by: str,
           now: datetime | None = None) -> None:
    """Lock kiosk ``device_id`` out of the broker now and mark it retired."""
    provisioning.validate_device_id(device_id)
    # The password goes at the reload below (Mosquitto then closes the kiosk's session); a
    # certificate's revocation is read from the CRL when the broker restarts.
    provisioning.revoke(cfg.fleet.broker_dir, device_id, tls_dir=cfg.fleet.tls_dir)
    t = _now(now)
    with db.conn:
        db.execute("insert into device_enrollments (device_id, created_at, expires_at, failures, retired_at, "
                   "retired_by) values (?,?,?,0,?,?) on conflict(device_id) do update set "
                   "retired_at = excluded.retired_at, retired_by = excluded.retired_by, sealed = null",
                   [device_id, _iso(t), _iso(t), _iso(t), by])
    provisioning.reload_broker(cfg.fleet.reload_command)
    log.info("device %s retired", device_id)


def enrollments(db: sqlite_utils.Database, *, now: datetime | None = None) -> list[Enrollment]:
    """Every kiosk that was given a code or retired, newest first."""
    t = _now(now)
    out = []
    for r in rows(db, "select * from device_enrollments order by created_at desc"):
        out.append(Enrollment(r["device_id"], r["name"] or "", r["point"] or "", _state(r, t),
                              r["created_at"] or "", r["expires_at"] or "", r["used_at"] or "",
                              r["retired_at"] or ""))
    return out


def to_json(items: list[Enrollment]) -> str:
    """The list as JSON (for ``hub device list --json``)."""
    return json.dumps([e.__dict__ for e in items], ensure_ascii=False)
