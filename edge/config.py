"""Appliance configuration: TOML plus environment overrides, loaded once into a frozen object.

Only this module reads ``os.environ`` for settings. An override is named
``DONTHU_EDGE_<SECTION>_<KEY>``, e.g. ``DONTHU_EDGE_MQTT_PORT=1884``. A bad value names
the key and how to fix it.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from edge.exceptions import CodedError, ConfigError
from edge.wire import DEVICE_ID_RE

ENV_PREFIX = "DONTHU_EDGE_"
REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class DeviceConfig:
    id: str = "k01"
    name: str = "Kiosk"
    data_dir: Path = Path("/var/lib/donthu-edge")
    # Page images the hub has acknowledged are dropped from the spool after this many days.
    spool_retention_days: float = 7.0
    # Below this much free disk the kiosk stops taking new scans (after pruning delivered pages).
    spool_min_free_mb: float = 200.0


@dataclass(frozen=True)
class ScannerConfig:
    source: str = "sane"  # "sane" or "hotfolder"
    device: str = ""  # SANE device name; "" = first found
    dpi: int = 300
    mode: str = "Gray"
    adf: bool = True
    hotfolder: Path = Path("/srv/donthu/scan-in")
    settle_s: float = 2.0
    page_timeout_s: float = 60.0
    sane_config_dir: Path = REPO_ROOT / "firmware_config" / "sane"


@dataclass(frozen=True)
class ImagingConfig:
    min_skew_confidence: float = 0.3
    max_skew_degrees: float = 45.0


@dataclass(frozen=True)
class OcrConfig:
    lang: str = "vie"
    workers: int = 0  # 0 = one per core
    timeout_s: float = 120.0
    psm: int = 3
    low_confidence: float = 60.0


@dataclass(frozen=True)
class MqttConfig:
    host: str = "127.0.0.1"
    port: int = 1883
    username: str = ""
    password: str = field(default="", repr=False)
    password_file: Path | None = None
    keepalive_s: int = 30
    metrics_interval_s: float = 30.0
    tls: bool = False
    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None
    max_inflight: int = 20
    # First wait for the hub's end-to-end ack before a message is published again (doubles
    # per try, see edge/outbox/spool.py).
    ack_timeout_s: float = 60.0


@dataclass(frozen=True)
class KioskConfig:
    host: str = "127.0.0.1"
    port: int = 8081
    enabled: bool = True
    # Hold each assembled document for the clerk to check its fields; sent as read after the timeout.
    review_fields: bool = True
    review_timeout_s: float = 120.0
    # CUPS queue of the receipt printer ("" = none: the receipt is only downloadable).
    printer: str = ""
    # Host names the screen answers to besides 127.0.0.1 and localhost (comma-separated).
    allowed_hosts: str = ""
    # Where the reception point is, printed on the citizen's receipt ("" = the device name).
    reception_point: str = ""


@dataclass(frozen=True)
class UpdateConfig:
    # Where releases are installed side by side ("" = <data_dir>/software; see edge/update.py).
    root: Path | None = None
    # A new release must be connected and read a test page within this time of its first start,
    # and in at most this many starts, or the next start goes back to the previous release.
    health_timeout_s: float = 300.0
    max_attempts: int = 2


@dataclass(frozen=True)
class EdgeConfig:
    device: DeviceConfig = DeviceConfig()
    scanner: ScannerConfig = ScannerConfig()
    imaging: ImagingConfig = ImagingConfig()
    ocr: OcrConfig = OcrConfig()
    mqtt: MqttConfig = MqttConfig()
    kiosk: KioskConfig = KioskConfig()
    update: UpdateConfig = UpdateConfig()

    @property
    def update_root(self) -> Path:
        """Where releases are installed side by side."""
        return self.update.root or self.device.data_dir / "software"

    @property
    def spool_path(self) -> Path:
        """The SQLite spool of this appliance."""
        return self.device.data_dir / "spool.db"

    @property
    def ocr_workers(self) -> int:
        """Number of single-threaded Tesseract processes to run."""
        return self.ocr.workers or max(1, os.cpu_count() or 1)


def _coerce(section: str, key: str, value: Any, typ: Any, error: type[CodedError]) -> Any:
    name = f"[{section}] {key}"
    text = typ if isinstance(typ, str) else getattr(typ, "__name__", str(typ))
    try:
        if "Path" in text:
            return None if value in (None, "") and "None" in text else Path(str(value))
        if text == "bool":
            if isinstance(value, bool):
                return value
            if str(value).lower() in ("1", "true", "yes", "on"):
                return True
            if str(value).lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError(value)
        if text == "int":
            if isinstance(value, bool):
                raise ValueError(value)
            return int(value)
        if text == "float":
            return float(value)
        return str(value)
    except (TypeError, ValueError) as e:
        raise error(f"{name} = {value!r} is not a valid {text}; fix it in the config file") from e


def read_sections(path: str | Path | None, *, env: dict[str, str], prefix: str,
                  sections: dict[str, type], error: type[CodedError]) -> dict[str, Any]:
    """TOML file (optional) plus ``<prefix><SECTION>_<KEY>`` overrides → one dataclass per section.

    Shared by the appliance's and the hub's config modules; errors name the key and the fix.
    """
    raw: dict[str, Any] = {}
    if path is not None:
        try:
            with open(path, "rb") as fh:
                raw = tomllib.load(fh)
        except FileNotFoundError as e:
            raise error(f"config file {path} does not exist") from e
        except tomllib.TOMLDecodeError as e:
            raise error(f"config file {path} is not valid TOML: {e}") from e
    unknown = sorted(set(raw) - set(sections))
    if unknown:
        raise error(f"unknown section(s) {', '.join(unknown)}; allowed: {', '.join(sections)}")
    parts = {}
    for section, cls in sections.items():
        given = raw.get(section, {})
        if not isinstance(given, dict):
            raise error(f"[{section}] must be a table")
        known = {f.name: f for f in fields(cls)}
        bad = sorted(set(given) - set(known))
        if bad:
            raise error(f"[{section}] has unknown key(s) {', '.join(bad)}; "
                        f"allowed: {', '.join(sorted(known))}")
        values = {}
        for key, f in known.items():
            env_key = f"{prefix}{section.upper()}_{key.upper()}"
            if env_key in env:
                values[key] = _coerce(section, key, env[env_key], f.type, error)
            elif key in given:
                values[key] = _coerce(section, key, given[key], f.type, error)
        parts[section] = cls(**values)
    return parts


def _validate(cfg: EdgeConfig) -> EdgeConfig:
    if not DEVICE_ID_RE.match(cfg.device.id):
        raise ConfigError(
            f"[device] id = {cfg.device.id!r}: use 2-63 lowercase letters, digits, '-' or '_'"
        )
    if cfg.scanner.source not in ("sane", "hotfolder"):
        raise ConfigError(f"[scanner] source = {cfg.scanner.source!r}: use \"sane\" or \"hotfolder\"")
    if not 50 <= cfg.scanner.dpi <= 1200:
        raise ConfigError(f"[scanner] dpi = {cfg.scanner.dpi}: use a value from 50 to 1200 (300 is usual)")
    if not 1 <= cfg.mqtt.port <= 65535 or not 0 <= cfg.kiosk.port <= 65535:
        raise ConfigError("[mqtt] port / [kiosk] port must be between 1 and 65535")
    if not 0 <= cfg.kiosk.review_timeout_s <= 3600:
        raise ConfigError(f"[kiosk] review_timeout_s = {cfg.kiosk.review_timeout_s}: use 0 to 3600 seconds (120 is usual)")
    if cfg.ocr.workers < 0 or cfg.ocr.timeout_s <= 0:
        raise ConfigError("[ocr] workers must be >= 0 and timeout_s > 0")
    if cfg.mqtt.tls and not cfg.mqtt.ca_file:
        raise ConfigError("[mqtt] tls = true needs ca_file (the fleet CA certificate)")
    password = cfg.mqtt.password
    if not password and cfg.mqtt.password_file:
        try:
            password = cfg.mqtt.password_file.read_text(encoding="utf-8").strip()
        except OSError as e:
            raise ConfigError(
                f"[mqtt] password_file {cfg.mqtt.password_file} cannot be read ({e.strerror}); "
                "check the path and its permissions"
            ) from e
    username = cfg.mqtt.username or cfg.device.id
    return replace(cfg, mqtt=replace(cfg.mqtt, username=username, password=password))


def load_config(path: str | Path | None = None, *, env: dict[str, str] | None = None) -> EdgeConfig:
    """Read the TOML file (optional) and ``DONTHU_EDGE_*`` overrides into a validated EdgeConfig."""
    parts = read_sections(
        path, env=dict(os.environ) if env is None else env, prefix=ENV_PREFIX, error=ConfigError,
        sections={"device": DeviceConfig, "scanner": ScannerConfig, "imaging": ImagingConfig,
                  "ocr": OcrConfig, "mqtt": MqttConfig, "kiosk": KioskConfig, "update": UpdateConfig},
    )
    return _validate(EdgeConfig(**parts))
