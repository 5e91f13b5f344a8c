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

from edge.exceptions import ConfigError
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


@dataclass(frozen=True)
class KioskConfig:
    host: str = "127.0.0.1"
    port: int = 8081
    enabled: bool = True


@dataclass(frozen=True)
class EdgeConfig:
    device: DeviceConfig = DeviceConfig()
    scanner: ScannerConfig = ScannerConfig()
    imaging: ImagingConfig = ImagingConfig()
    ocr: OcrConfig = OcrConfig()
    mqtt: MqttConfig = MqttConfig()
    kiosk: KioskConfig = KioskConfig()

    @property
    def spool_path(self) -> Path:
        """The SQLite spool of this appliance."""
        return self.device.data_dir / "spool.db"

    @property
    def ocr_workers(self) -> int:
        """Number of single-threaded Tesseract processes to run."""
        return self.ocr.workers or max(1, os.cpu_count() or 1)


def _coerce(section: str, key: str, value: Any, typ: Any) -> Any:
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
        raise ConfigError(f"{name} = {value!r} is not a valid {text}; fix it in the config file") from e


def _section(cls: type, section: str, raw: dict[str, Any], env: dict[str, str]) -> Any:
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise ConfigError(
            f"[{section}] has unknown key(s) {', '.join(unknown)}; "
            f"allowed: {', '.join(sorted(known))}"
        )
    values = {}
    for name, f in known.items():
        env_key = f"{ENV_PREFIX}{section.upper()}_{name.upper()}"
        if env_key in env:
            values[name] = _coerce(section, name, env[env_key], f.type)
        elif name in raw:
            values[name] = _coerce(section, name, raw[name], f.type)
    return cls(**values)


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
    env = dict(os.environ) if env is None else env
    raw: dict[str, Any] = {}
    if path is not None:
        try:
            with open(path, "rb") as fh:
                raw = tomllib.load(fh)
        except FileNotFoundError as e:
            raise ConfigError(f"config file {path} does not exist") from e
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"config file {path} is not valid TOML: {e}") from e
    sections = {f.name: f.type for f in fields(EdgeConfig)}
    unknown = sorted(set(raw) - set(sections))
    if unknown:
        raise ConfigError(f"unknown section(s) {', '.join(unknown)}; allowed: {', '.join(sections)}")
    classes = {"device": DeviceConfig, "scanner": ScannerConfig, "imaging": ImagingConfig,
               "ocr": OcrConfig, "mqtt": MqttConfig, "kiosk": KioskConfig}
    parts = {}
    for name, cls in classes.items():
        section_raw = raw.get(name, {})
        if not isinstance(section_raw, dict):
            raise ConfigError(f"[{name}] must be a table")
        parts[name] = _section(cls, name, section_raw, env)
    return _validate(EdgeConfig(**parts))
