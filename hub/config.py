"""Hub configuration: TOML plus ``DONTHU_HUB_<SECTION>_<KEY>`` overrides, loaded once, frozen."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from edge.config import read_sections
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
    # Never in a repr (logs, tracebacks, a debugger's screen).
    password: str = field(default="", repr=False)
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
    # Served over TLS, directly or by a TLS proxy in front: Secure cookie and HSTS.
    secure_cookies: bool = False
    # A reverse proxy in front: take the client address and scheme from its X-Forwarded-*.
    behind_proxy: bool = False
    # Request threads of the WSGI server (waitress); SQLite and the GIL make more useless.
    threads: int = 4
    session_hours: float = 8.0
    idle_minutes: float = 30.0


@dataclass(frozen=True)
class FleetConfig:
    """Enrolling and retiring kiosks (``hub device``), run on the broker host."""

    broker_dir: Path = Path("/etc/donthu/mosquitto")  # provision.py broker --dir
    broker_host: str = ""  # the address kiosks connect to ("" = [mqtt] host)
    broker_port: int = 0  # 0 = [mqtt] port (8883 with tls_dir)
    tls_dir: Path | None = None  # the fleet CA (provision.py ca): kiosks get client certificates
    hub_url: str = ""  # the panel's address as kiosks reach it, for the enrollment code
    reload_command: str = "systemctl reload mosquitto"
    code_hours: float = 24.0  # a code not used by then expires
    releases_dir: Path | None = None  # releases for fleet updates ("" = next to the index)


@dataclass(frozen=True)
class HubConfig:
    hub: IndexConfig = IndexConfig()
    mqtt: MqttConfig = MqttConfig()
    panel: PanelConfig = PanelConfig()
    fleet: FleetConfig = FleetConfig()


_SECTIONS = {"hub": IndexConfig, "mqtt": MqttConfig, "panel": PanelConfig, "fleet": FleetConfig}


def load_config(path: str | Path | None = None, *, env: dict[str, str] | None = None,
                read_secrets: bool = True) -> HubConfig:
    """Read the TOML file (optional) and ``DONTHU_HUB_*`` overrides into a validated HubConfig.

    ``read_secrets=False`` leaves ``[mqtt] password_file`` unread: the panel runs as a user
    that must not be able to read the broker password, and does not need it.
    """
    parts = read_sections(path, env=dict(os.environ) if env is None else env, prefix=ENV_PREFIX,
                          sections=_SECTIONS, error=ConfigError)
    cfg = HubConfig(**parts)
    if read_secrets and not cfg.mqtt.password and cfg.mqtt.password_file:
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
