"""What a technician checks on site, and a support bundle to send when it does not help.

``checks(cfg)`` runs every probe the appliance has — Tesseract, the scanner and its feeder
(or the hot folder), the receipt printer when one is set, the broker login, the clock, the disk, the data directory's modes, the
TLS certificates' expiry — and returns typed results; ``python -m edge doctor`` prints them.
``support_bundle(cfg, dest)`` writes a ``.tar.gz`` with the software inventory, the checks,
the settings (secrets removed), spool counts, recent logs (numbers that could be an ID card
or a phone number masked) and system facts: no petition text, no page image, no secret.
"""
from __future__ import annotations

import io
import json
import os
import platform
import re
import shutil
import stat
import subprocess
import tarfile
import time
from dataclasses import asdict, dataclass, fields, is_dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from edge import inventory
from edge.config import EdgeConfig

OK, WARN, FAIL = "ok", "warn", "fail"
# A certificate this close to its end is renewed on the next visit, not after it fails.
CERT_WARN_DAYS = 30
# Logs never hold petition text; still, any run of 9-12 digits (a CMND/CCCD or phone number
# format) is masked in a bundle that leaves the appliance.
_NUMBERS = re.compile(r"(?<!\d)\d{9,12}(?!\d)")
_SECRET_KEYS = ("password", "secret", "token", "key_pass")


@dataclass(frozen=True)
class Check:
    """One thing checked: its name, ``ok``/``warn``/``fail``, what was found and what to do."""

    name: str
    level: str
    detail: str
    hint_vi: str = ""


def _probe_ocr(cfg: EdgeConfig) -> Check:
    from edge import ocr

    r = ocr.probe(lang=cfg.ocr.lang)
    return Check("tesseract", OK if r.ok else FAIL, r.detail,
                 "" if r.ok else "Cài lại gói tesseract-ocr và tesseract-ocr-vie.")


def _probe_source(cfg: EdgeConfig) -> list[Check]:
    if cfg.scanner.source == "hotfolder":
        folder = cfg.scanner.hotfolder
        if not folder.is_dir():
            return [Check("hot folder", FAIL, f"{folder} does not exist",
                          "Tạo thư mục nhận bản quét và cấu hình máy quét mạng lưu vào đó.")]
        writable = os.access(folder, os.W_OK | os.X_OK)
        return [Check("hot folder", OK if writable else FAIL,
                      f"{folder} {'is' if writable else 'is not'} writable by this user",
                      "" if writable else "Sửa quyền thư mục nhận bản quét cho người dùng donthu-edge.")]
    from edge import scanner

    s = scanner.probe(device=cfg.scanner.device, sane_config_dir=cfg.scanner.sane_config_dir)
    out = [Check("scanner", OK if s.ok else FAIL, s.detail,
                 "" if s.ok else "Kiểm tra máy quét đã bật, cắm cáp USB, rồi thử lại.")]
    if s.ok and cfg.scanner.adf:
        adf = any("adf" in d.lower() or "feeder" in d.lower() for d in (s.detail, *s.devices))
        out.append(Check("feeder", OK if adf else WARN,
                         "the scanner offers an automatic document feeder" if adf else
                         "no automatic document feeder reported; pages will be scanned one at a time",
                         "" if adf else "Kiểm tra khay nạp giấy tự động (ADF) của máy quét."))
    return out


def _probe_broker(cfg: EdgeConfig) -> Check:
    from edge.uplink.mqtt import BrokerSettings
    from edge.uplink.mqtt import probe as mqtt_probe

    m = cfg.mqtt
    ok, detail = mqtt_probe(settings=BrokerSettings(
        host=m.host, port=m.port, username=m.username, password=m.password, tls=m.tls,
        ca_file=str(m.ca_file) if m.ca_file else None,
        cert_file=str(m.cert_file) if m.cert_file else None,
        key_file=str(m.key_file) if m.key_file else None))
    return Check("broker", OK if ok else FAIL, f"{m.host}:{m.port}: {detail}",
                 "" if ok else "Kiểm tra cáp mạng, địa chỉ máy chủ và mật khẩu thiết bị.")


def cert_days_left(path: Path, *, now: datetime | None = None) -> float:
    """Days until the (first) certificate in a PEM file expires (negative once expired)."""
    from cryptography import x509

    cert = x509.load_pem_x509_certificate(path.read_bytes())
    end = cert.not_valid_after_utc
    return (end - (now or datetime.now(UTC))).total_seconds() / 86400


def _probe_certs(cfg: EdgeConfig) -> list[Check]:
    out = []
    for label, path in (("fleet CA", cfg.mqtt.ca_file), ("client certificate", cfg.mqtt.cert_file)):
        if not path:
            continue
        try:
            days = cert_days_left(Path(path))
        except (OSError, ValueError) as e:
            out.append(Check(label, FAIL, f"{path}: cannot read the certificate ({e})",
                             "Cấp lại chứng chỉ cho thiết bị."))
            continue
        level = FAIL if days < 0 else WARN if days < CERT_WARN_DAYS else OK
        text = f"{path}: expired {-days:.0f} days ago" if days < 0 else f"{path}: {days:.0f} days left"
        out.append(Check(label, level, text, "" if level == OK else "Cấp lại chứng chỉ cho thiết bị."))
    return out


def _probe_clock() -> Check:
    exe = shutil.which("timedatectl")
    if exe:
        try:
            out = subprocess.run([exe, "show", "-p", "NTPSynchronized", "--value"],
                                 capture_output=True, text=True, timeout=5).stdout.strip()
        except (subprocess.SubprocessError, OSError):
            out = ""
        if out in ("yes", "no"):
            synced = out == "yes"
            return Check("clock", OK if synced else WARN,
                         f"local time {datetime.now().astimezone().isoformat(timespec='seconds')}, "
                         f"NTP {'synchronised' if synced else 'not synchronised'}",
                         "" if synced else "Bật đồng bộ giờ (NTP): giờ sai làm sai ngày tiếp nhận đơn.")
    year = datetime.now(UTC).year
    # Derived, not fitted: no petition this system takes can be dated before it was built
    # (2025), and a year past 2100 is a dead RTC battery's reset, not a date.
    plausible = 2025 <= year <= 2100
    return Check("clock", OK if plausible else FAIL,
                 f"local time {datetime.now().astimezone().isoformat(timespec='seconds')} "
                 "(NTP status unknown: no timedatectl)",
                 "" if plausible else "Đặt lại ngày giờ của thiết bị.")


def _probe_disk(cfg: EdgeConfig) -> list[Check]:
    folder = cfg.device.data_dir
    probe_at = folder if folder.exists() else folder.parent
    try:
        free_mb = shutil.disk_usage(probe_at).free / 2**20
    except OSError as e:
        return [Check("disk", FAIL, f"{probe_at}: {e.strerror}", "Kiểm tra ổ đĩa của thiết bị.")]
    need = cfg.device.spool_min_free_mb
    level = FAIL if free_mb < need else WARN if free_mb < 2 * need else OK
    out = [Check("disk", level, f"{free_mb / 1024:.1f} GB free in {probe_at} (scans stop below "
                 f"{need / 1024:.1f} GB)", "" if level == OK else
                 "Giải phóng dung lượng đĩa hoặc chờ các đơn đã gửi được dọn.")]
    if folder.exists():
        mode = stat.S_IMODE(folder.stat().st_mode)
        spool = cfg.spool_path
        spool_mode = stat.S_IMODE(spool.stat().st_mode) if spool.exists() else 0
        readable = bool(mode & 0o007) or bool(spool_mode & 0o004)
        out.append(Check("data directory", WARN if readable else OK,
                         f"{folder} mode {mode:o}" + (f", spool mode {spool_mode:o}" if spool_mode else "")
                         + (": other users can read it" if readable else ""),
                         "chmod 700 thư mục dữ liệu: đơn chứa thông tin cá nhân." if readable else ""))
    return out


def _probe_printer(cfg: EdgeConfig) -> list[Check]:
    if not cfg.kiosk.printer:  # the receipt printer, when there is one
        return []
    from edge.kiosk.printer import probe as printer_probe

    why = printer_probe(cfg.kiosk.printer)
    return [Check("receipt printer", FAIL if why else OK, why or cfg.kiosk.printer,
                  "Kiểm tra máy in phiếu đã bật, có giấy và được cài trong CUPS." if why else "")]


def checks(cfg: EdgeConfig, *, broker: bool = True, source: bool = True) -> list[Check]:
    """Run every on-site check (``broker``/``source`` False skip the slow probes)."""
    out = [_probe_ocr(cfg)]
    if source:
        out += _probe_source(cfg)
        out += _probe_printer(cfg)
    if broker:
        out.append(_probe_broker(cfg))
    out += _probe_certs(cfg)
    out.append(_probe_clock())
    out += _probe_disk(cfg)
    return out


# -- support bundle ------------------------------------------------------------------------------
def redacted_settings(cfg: EdgeConfig) -> dict[str, Any]:
    """The effective settings as plain data, with every secret replaced by a marker."""
    def plain(value: Any) -> Any:
        if is_dataclass(value):
            return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
        if isinstance(value, Path):
            return str(value)
        return value

    data = plain(cfg)
    for section in data.values():
        for key in list(section):
            if any(word in key for word in _SECRET_KEYS) and not key.endswith("_file"):
                section[key] = "<redacted>" if section[key] else ""
    return data


def mask_numbers(text: str) -> str:
    """Mask runs of 9-12 digits (the shape of ID card and phone numbers)."""
    return _NUMBERS.sub(lambda m: "#" * len(m.group()), text)


def _journal(unit: str = "donthu-edge", *, lines: int = 2000) -> str:
    exe = shutil.which("journalctl")
    if not exe:
        return "(journalctl not available)\n"
    try:
        out = subprocess.run([exe, "-u", unit, "--no-pager", "-n", str(lines), "-o", "short-iso"],
                             capture_output=True, text=True, timeout=20)
    except (subprocess.SubprocessError, OSError) as e:
        return f"(journalctl failed: {e})\n"
    return out.stdout or out.stderr


def _spool_counts(cfg: EdgeConfig) -> dict[str, Any]:
    if not cfg.spool_path.exists():
        return {"spool": "absent"}
    from edge.outbox.spool import Spool

    spool = Spool(cfg.spool_path)
    try:
        stats = spool.stats()
    finally:
        spool.close()
    return {k: v for k, v in stats.items() if isinstance(v, int | float | str | bool) or v is None}


def support_bundle(cfg: EdgeConfig, dest: Path, *, broker: bool = True, source: bool = True) -> Path:
    """Write the support bundle to ``dest`` (a .tar.gz, mode 0600) and return its path."""
    results = checks(cfg, broker=broker, source=source)
    system = "\n".join([
        f"host: {platform.node()}", f"kernel: {platform.release()}", f"machine: {platform.machine()}",
        f"time: {datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"load: {os.getloadavg()}", f"cpus: {os.cpu_count()}",
    ]) + "\n"
    members = {
        "inventory.json": json.dumps(inventory.software(cfg.ocr.lang), indent=2),
        "checks.json": json.dumps([asdict(c) for c in results], ensure_ascii=False, indent=2),
        "settings.json": json.dumps(redacted_settings(cfg), ensure_ascii=False, indent=2),
        "spool.json": json.dumps(_spool_counts(cfg), indent=2, default=str),
        "journal.txt": mask_numbers(_journal()),
        "system.txt": system,
    }
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
        stamp = time.time()
        for name, text in members.items():
            data = text.encode("utf-8")
            info = tarfile.TarInfo(f"donthu-support/{name}")
            info.size, info.mtime, info.mode = len(data), stamp, 0o600
            tar.addfile(info, io.BytesIO(data))
    return dest
