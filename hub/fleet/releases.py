"""Releases the hub holds, and rolling one out to kiosks: one canary first, then the rest.

A release is a wheel of the project built once (``scripts/build-release.sh``), uploaded to the
hub (``hub release add``), kept under the releases folder with its sha256, and served to
kiosks by the panel (``GET /releases/<file>``, public: integrity comes from the hash, which
reaches the kiosk inside the update command over its authenticated broker connection). A city
without internet builds the wheel once, on any machine with the checkout, and carries it over.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import sqlite_utils

from edge.wire import MAX_RELEASE_BYTES, RELEASE_VERSION_RE, now_iso
from hub.exceptions import HubError
from hub.index.db import rows
from hub.ingest.control import queue_command

# An update waits for a kiosk that is off (a ward office closed for the weekend).
UPDATE_TTL = timedelta(days=3)
_WHEEL_RE = re.compile(r"^donthu-(?P<version>[0-9][0-9A-Za-z.+_]*)-py3-none-any\.whl$")


class ReleaseError(HubError):
    code = "release_error"
    exit_code = 9
    message_vi = "Không dùng được bản phát hành này."


@dataclass(frozen=True)
class Release:
    """A release the hub can hand out."""

    version: str
    filename: str
    sha256: str
    size: int
    build: str
    added_at: str


def _build_id(wheel: Path) -> str:
    try:
        with zipfile.ZipFile(wheel) as z:
            return z.read("edge/BUILD").decode("utf-8").strip()[:64]
    except (KeyError, zipfile.BadZipFile, OSError, UnicodeDecodeError):
        return ""


def add_release(db: sqlite_utils.Database, wheel: Path, *, releases_dir: Path, by: str) -> Release:
    """Check a wheel of the project and keep it as a release (its version from the file name)."""
    match = _WHEEL_RE.match(wheel.name)
    if not match or not RELEASE_VERSION_RE.match(match["version"]):
        raise ReleaseError(f"{wheel.name}: not a wheel of this project (donthu-VERSION-py3-none-any.whl)")
    size = wheel.stat().st_size
    if size > MAX_RELEASE_BYTES:
        raise ReleaseError(f"{wheel.name}: larger than {MAX_RELEASE_BYTES // 2**20} MB")
    try:
        with zipfile.ZipFile(wheel) as z:
            names = set(z.namelist())
    except zipfile.BadZipFile as e:
        raise ReleaseError(f"{wheel.name}: not a zip file") from e
    if "edge/agent.py" not in names or "hub/cli.py" not in names:
        raise ReleaseError(f"{wheel.name}: does not hold the edge and hub packages")
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    releases_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(wheel, releases_dir / wheel.name)
    release = Release(match["version"], wheel.name, digest, size, _build_id(wheel), now_iso())
    with db.conn:
        db["releases"].upsert({**release.__dict__, "added_by": by}, pk="version")
    return release


def releases(db: sqlite_utils.Database) -> list[Release]:
    """Every release, newest first."""
    return [Release(r["version"], r["filename"], r["sha256"], r["size"], r["build"] or "", r["added_at"])
            for r in rows(db, "select * from releases order by added_at desc, version desc")]


def release(db: sqlite_utils.Database, version: str) -> Release:
    """One release by version."""
    for r in releases(db):
        if r.version == version:
            return r
    raise ReleaseError(f"no release {version!r}; add it first with `hub release add`",
                       message_vi=f"Máy chủ không có bản phát hành {version}.")


def device_software(db: sqlite_utils.Database, device_id: str) -> dict:
    """What a kiosk last said it runs."""
    row = db.execute("select software from devices where device_id = ?", [device_id]).fetchone()
    return json.loads(row[0]) if row and row[0] else {}


def deploy(db: sqlite_utils.Database, version: str, devices: list[str], *, hub_url: str, by: str,
           canary: str = "", force: bool = False) -> list[str]:
    """Queue the update to ``version`` for ``devices``; return the command ids.

    With ``canary``, only that kiosk is updated now. Without it, the kiosks are updated only
    if some kiosk already runs ``version`` healthy (a confirmed canary) — unless ``force``.
    """
    rel = release(db, version)
    targets = [canary] if canary else devices
    if not targets:
        raise ReleaseError("name the kiosks to update (or a --canary)",
                           message_vi="Hãy chọn thiết bị cần cập nhật (hoặc một thiết bị thử).")
    if not canary and not force:
        softwares = [device_software(db, r["device_id"]) for r in rows(db, "select device_id from devices")]
        proven = any(sw.get("version") == version and str(sw.get("update", "")).startswith("confirmed")
                     for sw in softwares)
        if not proven:
            raise ReleaseError(f"release {version} has not proved healthy on a canary kiosk yet; "
                               "update one with --canary first (or --force)",
                               message_vi=f"Bản {version} chưa chạy ổn định trên thiết bị thử nào: hãy cập nhật một thiết bị thử trước.")
    args = {"version": rel.version, "url": f"{hub_url.rstrip('/')}/releases/{rel.filename}",
            "sha256": rel.sha256, "size": rel.size}
    return [queue_command(db, d, "update", issued_by=by, ttl=UPDATE_TTL, args=args) for d in targets]
