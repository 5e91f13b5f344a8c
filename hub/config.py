"""Hub configuration: TOML plus ``DONTHU_HUB_<SECTION>_<KEY>`` overrides, loaded once, frozen."""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from hub.exceptions import ConfigError

ENV_PREFIX = "DONTHU_HUB_"


@dataclass(frozen=True)
class IndexConfig:
    db: Path = Path("/var/lib/donthu-hub/index.db")


@dataclass(frozen=True)
class MqttConfig:
    host: str = "127.0.0.1"
    port: int = 1883
    username: str = "hub"
    password: str = ""
    password_file: Path | None = None
    client_id: str = "hub-ingest"
    keepalive_s: int = 30
    tls: bool = False
    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None


@dataclass(frozen=True)
class PanelConfig:
    host: str = "127.0.0.1"
    port: int = 8080
    secret_key_file: Path | None = None
    stale_after_s: float = 90.0


@dataclass(frozen=True)
class HubConfig:
    hub: IndexConfig = IndexConfig()
    mqtt: MqttConfig = MqttConfig()
    panel: PanelConfig = PanelConfig()


_SECTIONS = {"hub": IndexConfig, "mqtt": MqttConfig, "panel": PanelConfig}


def _coerce(section: str, key: str, value: Any, typ: str) -> Any:
    try:
        if "Path" in typ:
            return None if value in (None, "") else Path(str(value))
        if typ == "int":
            return int(value)
        if typ == "float":
            return float(value)
        if typ == "bool":
            return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes", "on")
        return str(value)
    except (TypeError, ValueError) as e:
        raise ConfigError(f"[{section}] {key} = {value!r} is not a valid {typ}; fix the config") from e


def load_config(path: str | Path | None = None, *, env: dict[str, str] | None = None) -> HubConfig:
    """Read the TOML file (optional) and ``DONTHU_HUB_*`` overrides into a validated HubConfig."""
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
    unknown = sorted(set(raw) - set(_SECTIONS))
    if unknown:
        raise ConfigError(f"unknown section(s) {', '.join(unknown)}; allowed: {', '.join(_SECTIONS)}")
    parts = {}
    for name, cls in _SECTIONS.items():
        section = raw.get(name, {})
        known = {f.name: f for f in fields(cls)}
        bad = sorted(set(section) - set(known))
        if bad:
            raise ConfigError(f"[{name}] has unknown key(s) {', '.join(bad)}; allowed: {', '.join(known)}")
        values = {}
        for key, f in known.items():
            env_key = f"{ENV_PREFIX}{name.upper()}_{key.upper()}"
            if env_key in env:
                values[key] = _coerce(name, key, env[env_key], str(f.type))
            elif key in section:
                values[key] = _coerce(name, key, section[key], str(f.type))
        parts[name] = cls(**values)
    cfg = HubConfig(**parts)
    if not cfg.mqtt.password and cfg.mqtt.password_file:
        try:
            password = cfg.mqtt.password_file.read_text(encoding="utf-8").strip()
        except OSError as e:
            raise ConfigError(f"[mqtt] password_file {cfg.mqtt.password_file} cannot be read: "
                              f"{e.strerror}") from e
        cfg = replace(cfg, mqtt=replace(cfg.mqtt, password=password))
    return cfg


def secret_key(cfg: HubConfig) -> str:
    """The panel's session signing key, created (0600) next to the index on first use."""
    path = cfg.panel.secret_key_file or cfg.hub.db.parent / "panel-secret.key"
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(os.urandom(32).hex())
        return path.read_text().strip()
    except OSError as e:
        raise ConfigError(f"[panel] secret key file {path}: {e.strerror}") from e
