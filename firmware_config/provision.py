"""Provision the city broker, a kiosk appliance or the hub: Mosquitto config, passwords, TOML configs.

Run as ``python firmware_config/provision.py {broker,device,hub,...} --help``. Secrets never go on
a command line (any user of the host can read it while the program runs): passwords are
generated, or read with ``--password-file FILE`` (``-`` = standard input). Standard library only, so
it runs on a fresh host before the project's venv exists. ``tests/broker.py`` imports it by path.
"""
from __future__ import annotations

import argparse
import grp
import os
import pwd
import re
import secrets
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from string import Template

TEMPLATE_DIR = Path(__file__).resolve().parent / "mosquitto"

DEVICE_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,62}$")
HUB_USER = "hub"
# Usernames a kiosk may not take: the hub's, district bridges' (a kiosk named bridge-<district>
# would get the bridge's right to write every kiosk's topics), and names that read like broker
# or system internals. Refused as a prefix too ("hub2", "admin-x").
RESERVED_PREFIXES = (HUB_USER, "bridge", "admin", "root", "mosquitto", "probe", "sys")
RESERVED_IDS = frozenset({HUB_USER, "admin", "root", "mosquitto"})
# Broker memory (docs/scale-out.md, "Broker memory"): a day of the city's page images queued
# for an absent hub is 100 kiosks x 300 pages x 150 KB = 4.5 GB; 5 GiB per client, and 1 GiB
# more for everything else the broker holds (in-flight windows, retained, sessions).
MAX_QUEUED_BYTES = 5 * 2**30
MEMORY_LIMIT = 6 * 2**30

MOSQUITTO_PASSWD_TIMEOUT_S = 10.0


class ProvisionError(Exception):
    """A provisioning step failed. ``code`` is stable, ``detail`` English, ``message_vi`` Vietnamese."""

    code = "provision_error"
    exit_code = 2
    message_vi = "Không cấu hình được thiết bị. Kiểm tra thông báo lỗi rồi chạy lại."

    def __init__(self, detail: str, *, code: str | None = None, message_vi: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        if message_vi is not None:
            self.message_vi = message_vi

    def __str__(self) -> str:
        return f"[{self.code}] {self.detail}"


# ---------------------------------------------------------------------------------------------
# Broker files
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TlsSettings:
    """Paths for the optional TLS listener (client certificates, CN = device id)."""

    port: int = 8883
    cafile: Path = Path("/etc/donthu/mosquitto/tls/ca.crt")
    certfile: Path = Path("/etc/donthu/mosquitto/tls/server.crt")
    keyfile: Path = Path("/etc/donthu/mosquitto/tls/server.key")
    crlfile: Path | None = None  # default: crl.pem beside cafile (``provision.py ca`` writes it)

    @property
    def crl(self) -> Path:
        return self.crlfile or self.cafile.with_name("crl.pem")


@dataclass(frozen=True)
class BrokerSettings:
    """Everything that varies in the generated mosquitto.conf."""

    dir: Path
    port: int = 1883
    bind: str = "127.0.0.1"
    run_as_user: str = "mosquitto"
    tls: TlsSettings | None = None
    persistence_dir: Path | None = None  # default: DIR/data
    autosave_interval: int = 60
    max_queued_messages: int = 200_000
    max_queued_bytes: int = MAX_QUEUED_BYTES
    memory_limit: int = MEMORY_LIMIT
    max_inflight_messages: int = 1000
    max_packet_size: int = 8 * 1024 * 1024
    persistent_client_expiration: str = "14d"
    log_dest: str = "stdout"
    log_timestamp: bool = False  # the journal timestamps every line already
    # Districts whose broker bridges into this (city) broker; each gets user "bridge-<district>".
    bridge_districts: tuple[str, ...] = ()

    @property
    def conf_file(self) -> Path:
        return self.dir / "mosquitto.conf"

    @property
    def acl_file(self) -> Path:
        return self.dir / "acl"

    @property
    def conf_dir(self) -> Path:
        return self.dir / "conf.d"

    @property
    def passwd_file(self) -> Path:
        return self.dir / "passwd"

    @property
    def data_dir(self) -> Path:
        return self.persistence_dir or self.dir / "data"


@dataclass(frozen=True)
class BrokerFiles:
    """Result of :func:`write_broker`: where everything went."""

    conf: Path
    acl: Path
    passwd: Path
    data_dir: Path


def _template(name: str) -> Template:
    return Template((TEMPLATE_DIR / name).read_text(encoding="utf-8"))


def render_mosquitto_conf(settings: BrokerSettings) -> str:
    """Return the text of mosquitto.conf for ``settings`` (paths made absolute)."""
    tls_block = ""
    if settings.tls is not None:
        tls_block = _template("tls_listener.conf.template").substitute(
            tls_port=settings.tls.port,
            bind=settings.bind,
            cafile=settings.tls.cafile,
            certfile=settings.tls.certfile,
            keyfile=settings.tls.keyfile,
            crlfile=settings.tls.crl,
        )
    return _template("mosquitto.conf.template").substitute(
        run_as_user=settings.run_as_user,
        passwd_file=settings.passwd_file.resolve(),
        acl_file=settings.acl_file.resolve(),
        port=settings.port,
        # With TLS the plain listener serves the hub on this host only: a kiosk's password
        # must not cross the LAN in clear, nor be tried there.
        plain_bind="127.0.0.1" if settings.tls is not None else settings.bind,
        tls_block=tls_block,
        memory_limit=settings.memory_limit,
        persistence_dir=settings.data_dir.resolve(),
        autosave_interval=settings.autosave_interval,
        max_queued_messages=settings.max_queued_messages,
        max_queued_bytes=settings.max_queued_bytes,
        persistent_client_expiration=settings.persistent_client_expiration,
        max_inflight_messages=settings.max_inflight_messages,
        max_packet_size=settings.max_packet_size,
        log_dest=settings.log_dest,
        log_timestamp="true" if settings.log_timestamp else "false",
        conf_dir=settings.conf_dir.resolve(),
    )


def render_acl(bridge_districts: tuple[str, ...] = ()) -> str:
    """Return the text of the broker ACL file (with a block per bridged district broker)."""
    block = ""
    for district in bridge_districts:
        # A district broker relays every kiosk of its district (each kiosk is confined to its
        # own prefix by the district broker's ACL) and receives what the hub sends them.
        block += (f"# Bridge from the {district} district broker.\nuser bridge-{district}\n"
                  f"topic write kiosk/#\ntopic read hub/#\ntopic write bridge/{district}/#\n\n")
    return _template("acl.template").substitute(hub_user=HUB_USER, bridge_block=block)


def _write_text(path: Path, text: str, *, mode: int) -> None:
    """Write atomically (temp file + rename) so a half-written config never reaches Mosquitto."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise ProvisionError(f"cannot write {path}: {e.strerror}", code="write_failed") from e


def _broker_uid_gid(user: str) -> tuple[int, int] | None:
    """uid/gid Mosquitto will drop to, or None when no ownership change is needed/possible."""
    if os.geteuid() != 0 or user == "root":
        return None
    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        return None
    return entry.pw_uid, entry.pw_gid


def write_broker(settings: BrokerSettings) -> BrokerFiles:
    """Write mosquitto.conf and acl, create passwd (kept if present) and the persistence dir. Idempotent."""
    try:
        settings.dir.mkdir(parents=True, exist_ok=True)
        settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        settings.conf_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ProvisionError(f"cannot create {settings.dir}: {e.strerror}", code="write_failed") from e
    _write_text(settings.conf_file, render_mosquitto_conf(settings), mode=0o644)
    for district in settings.bridge_districts:
        validate_district(district)
    _write_text(settings.acl_file, render_acl(settings.bridge_districts), mode=0o640)
    if not settings.passwd_file.exists():
        _write_text(settings.passwd_file, "", mode=0o640)
    # Mosquitto reads passwd/acl and writes the database after dropping privileges.
    ids = _broker_uid_gid(settings.run_as_user)
    if ids is not None:
        uid, gid = ids
        os.chown(settings.acl_file, 0, gid)
        os.chown(settings.passwd_file, 0, gid)
        os.chown(settings.data_dir, uid, gid)
        if settings.tls is not None:
            _broker_can_read_key(settings.tls.keyfile, gid)
    return BrokerFiles(
        conf=settings.conf_file,
        acl=settings.acl_file,
        passwd=settings.passwd_file,
        data_dir=settings.data_dir,
    )


def _broker_can_read_key(keyfile: Path, gid: int) -> None:
    """The server key must be readable by the user Mosquitto drops to, and by no one else:
    root:mosquitto 0640 (a 0600 root key makes the TLS listener fail at start)."""
    if not keyfile.exists():
        return  # `provision.py ca` makes it with this ownership
    try:
        os.chown(keyfile, 0, gid)
        os.chmod(keyfile, 0o640)
    except OSError as e:
        raise ProvisionError(f"cannot give {keyfile} to the broker's group: {e.strerror}",
                             code="write_failed") from e


def broker_gid(group: str = "mosquitto") -> int | None:
    """gid of the broker's group when running as root and it exists (else None)."""
    if os.geteuid() != 0:
        return None
    try:
        return grp.getgrnam(group).gr_gid
    except KeyError:
        return None


# ---------------------------------------------------------------------------------------------
# mosquitto_passwd adapter (the one place that runs the external program)
# ---------------------------------------------------------------------------------------------


def mosquitto_passwd_path() -> str | None:
    """Path of the mosquitto_passwd binary, or None if it is not installed."""
    return shutil.which("mosquitto_passwd") or (
        "/usr/bin/mosquitto_passwd" if os.access("/usr/bin/mosquitto_passwd", os.X_OK) else None
    )


def probe() -> bool:
    """True if mosquitto_passwd is installed and runnable."""
    return mosquitto_passwd_path() is not None


def set_password(
    *, passwd_file: Path, username: str, password: str, timeout_s: float = MOSQUITTO_PASSWD_TIMEOUT_S
) -> None:
    """Add or update ``username`` in the Mosquitto password file (hashed by mosquitto_passwd)."""
    binary = mosquitto_passwd_path()
    if binary is None:
        raise ProvisionError(
            "mosquitto_passwd not found; install the 'mosquitto' package",
            code="mosquitto_passwd_missing",
        )
    if not passwd_file.exists():
        raise ProvisionError(
            f"{passwd_file} does not exist; run `provision.py broker --dir {passwd_file.parent}` first",
            code="broker_not_provisioned",
        )
    if any(c in password for c in "\r\n\0"):
        raise ProvisionError("a broker password cannot hold a line break", code="invalid_password",
                             message_vi="Mật khẩu không được chứa ký tự xuống dòng.")
    # The password goes in on stdin, as typed at its two prompts: with -b it would be on the
    # command line, which any user of the machine can read while the program runs.
    try:
        proc = subprocess.run(
            [binary, str(passwd_file), username],
            input=f"{password}\n{password}\n",
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired as e:
        raise ProvisionError(
            f"mosquitto_passwd did not finish within {timeout_s:.0f} s", code="mosquitto_passwd_timeout"
        ) from e
    except OSError as e:
        raise ProvisionError(f"cannot run {binary}: {e.strerror}", code="mosquitto_passwd_failed") from e
    if proc.returncode != 0:
        # stderr names the file or the rule broken, never the password.
        reason = (proc.stderr or proc.stdout).strip().splitlines()
        raise ProvisionError(
            f"mosquitto_passwd failed (exit {proc.returncode}): {reason[-1] if reason else 'no output'}",
            code="mosquitto_passwd_failed",
        )


def delete_user(*, passwd_file: Path, username: str, timeout_s: float = MOSQUITTO_PASSWD_TIMEOUT_S) -> bool:
    """Remove ``username`` from the password file; False when it was not there."""
    binary = mosquitto_passwd_path()
    if binary is None:
        raise ProvisionError("mosquitto_passwd not found; install the 'mosquitto' package",
                             code="mosquitto_passwd_missing")
    try:
        present = any(line.split(":", 1)[0] == username
                      for line in passwd_file.read_text(encoding="utf-8").splitlines())
    except OSError as e:
        raise ProvisionError(f"cannot read {passwd_file}: {e.strerror}", code="broker_not_provisioned") from e
    if not present:
        return False
    try:
        proc = subprocess.run([binary, "-D", str(passwd_file), username], capture_output=True, text=True,
                              timeout=timeout_s, check=False)
    except (subprocess.TimeoutExpired, OSError) as e:
        raise ProvisionError(f"mosquitto_passwd -D failed: {e}", code="mosquitto_passwd_failed") from e
    if proc.returncode != 0:
        raise ProvisionError(f"mosquitto_passwd -D failed (exit {proc.returncode})", code="mosquitto_passwd_failed")
    return True


def read_secret(source: str) -> str:
    """A password from a file's first line, or from standard input's when ``source`` is ``-``."""
    try:
        if source == "-":
            line = sys.stdin.readline()
        else:
            with open(source, encoding="utf-8") as fh:
                line = fh.readline()
    except OSError as e:
        raise ProvisionError(f"cannot read the password from {source}: {e.strerror}",
                             code="invalid_password") from e
    secret = line.rstrip("\r\n")
    if not secret:
        raise ProvisionError(f"no password in {'standard input' if source == '-' else source}",
                             code="invalid_password", message_vi="Chưa có mật khẩu.")
    return secret


# ---------------------------------------------------------------------------------------------
# Device and hub provisioning
# ---------------------------------------------------------------------------------------------


def validate_device_id(device_id: str) -> str:
    """Return ``device_id`` if it is a valid, unreserved kiosk id, else raise ProvisionError."""
    if not DEVICE_ID_RE.fullmatch(device_id):
        raise ProvisionError(
            f"invalid device id {device_id!r}: use 2-63 characters, lowercase letters, digits, "
            "'-' or '_', starting with a letter or digit (e.g. 'k01', 'hoankiem-02')",
            code="invalid_device_id",
            message_vi="Mã thiết bị không hợp lệ: chỉ dùng chữ thường không dấu, số, '-' hoặc '_' (ví dụ k01).",
        )
    if device_id in RESERVED_IDS or device_id.startswith(RESERVED_PREFIXES):
        raise ProvisionError(
            f"device id {device_id!r} is reserved (it starts with one of "
            f"{', '.join(RESERVED_PREFIXES)}); choose another",
            code="invalid_device_id",
            message_vi="Mã thiết bị này đã được dành riêng. Hãy chọn mã khác.",
        )
    return device_id


def validate_district(district: str) -> str:
    """A district name (its bridge user is ``bridge-<district>``): a device id's shape."""
    if not DEVICE_ID_RE.fullmatch(district):
        raise ProvisionError(f"invalid district name {district!r}: lowercase letters, digits, '-', '_'",
                             code="invalid_device_id",
                             message_vi="Tên quận/huyện không hợp lệ: chỉ dùng chữ thường không dấu, số, '-' hoặc '_'.")
    return district


def revoke_device(*, broker_dir: Path, device_id: str, tls_dir: Path | None) -> tuple[bool, int]:
    """Retire a kiosk: delete its broker password and put its certificates on the CRL.

    Returns (password removed, certificates revoked). The broker must restart to read both.
    """
    if not DEVICE_ID_RE.fullmatch(device_id):
        validate_device_id(device_id)  # raises with the usual message
    removed = delete_user(passwd_file=broker_dir / "passwd", username=device_id)
    revoked = 0
    if tls_dir is not None:
        revoked = _certs().revoke(tls_dir, device_id)
    return removed, revoked


def new_password() -> str:
    """A random broker password (192 bits, URL-safe characters)."""
    return secrets.token_urlsafe(24)


def toml_str(value: str) -> str:
    """Quote ``value`` as a TOML basic string."""
    out = []
    for ch in value:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def write_secret(path: Path, secret: str, *, owner: str | None = None) -> None:
    """Write ``secret`` to ``path`` with mode 0600 (optionally chowned to the service user)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ProvisionError(f"cannot create {path.parent}: {e.strerror}", code="write_failed") from e
    _write_text(path, secret + "\n", mode=0o600)
    if owner is not None:
        try:
            entry = pwd.getpwnam(owner)
        except KeyError as e:
            raise ProvisionError(
                f"user {owner!r} does not exist; create it first (see systemd/sysusers.d/donthu.conf)",
                code="unknown_user",
            ) from e
        try:
            os.chown(path, entry.pw_uid, entry.pw_gid)
        except OSError as e:
            raise ProvisionError(f"cannot chown {path}: {e.strerror}", code="write_failed") from e


@dataclass(frozen=True)
class Provisioned:
    """Result of :func:`provision_device` / :func:`provision_hub`."""

    username: str
    config: Path
    password_file: Path
    password_generated: bool


def render_edge_toml(
    *,
    device_id: str,
    password_file: Path,
    broker_host: str = "127.0.0.1",
    broker_port: int = 1883,
    data_dir: str = "/var/lib/donthu-edge",
) -> str:
    """Return the kiosk's edge.toml text (keys read by the edge config loader)."""
    return f"""\
# Kiosk appliance config, GENERATED by firmware_config/provision.py device.
[device]
id = {toml_str(device_id)}
name = {toml_str(f"Kiosk {device_id}")}
data_dir = {toml_str(data_dir)}

[scanner]
source = "sane"        # "sane" or "hotfolder"
device = ""            # SANE device name; "" = first found
dpi = 300
mode = "Gray"
adf = true
hotfolder = "/srv/donthu/scan-in"

[ocr]
lang = "vie"
workers = 0            # 0 = one per core
timeout_s = 120

[mqtt]
host = {toml_str(broker_host)}
port = {int(broker_port)}
username = {toml_str(device_id)}
password_file = {toml_str(str(password_file))}
# Keepalive 5 s: the broker notices a dead kiosk (power cut, cable) within 7.5 s and
# publishes its 'offline' will; metrics every 10 s, stale on the panel after 3 missed.
keepalive_s = 5
metrics_interval_s = 10

[kiosk]
host = "127.0.0.1"
port = 8081
"""


def render_hub_toml(
    *,
    password_file: Path,
    secret_key_file: Path,
    broker_host: str = "127.0.0.1",
    broker_port: int = 1883,
    db: str = "/var/lib/donthu-hub/index.db",
    panel_host: str = "127.0.0.1",
    panel_port: int = 8080,
) -> str:
    """Return the hub's hub.toml text (keys read by the hub config loader)."""
    return f"""\
# City hub config, GENERATED by firmware_config/provision.py hub.
[hub]
db = {toml_str(db)}

[mqtt]
host = {toml_str(broker_host)}
port = {int(broker_port)}
username = {toml_str(HUB_USER)}
password_file = {toml_str(str(password_file))}
client_id = {toml_str(HUB_USER)}  # the broker uses the username as client id anyway

[panel]
host = {toml_str(panel_host)}
port = {int(panel_port)}
secret_key_file = {toml_str(str(secret_key_file))}
"""


def provision_device(
    *,
    broker_dir: Path,
    device_id: str,
    out: Path,
    password: str | None = None,
    broker_host: str = "127.0.0.1",
    broker_port: int = 1883,
    data_dir: str = "/var/lib/donthu-edge",
    owner: str | None = None,
    password_path: Path | None = None,
) -> Provisioned:
    """Register a kiosk with the broker and write its edge TOML plus a 0600 password file next to it."""
    validate_device_id(device_id)
    generated = password is None
    secret = new_password() if password is None else password
    out = out.resolve()
    password_file = out.parent / f"{device_id}.password"
    set_password(passwd_file=broker_dir / "passwd", username=device_id, password=secret)
    write_secret(password_file, secret, owner=owner)
    toml = render_edge_toml(
        device_id=device_id,
        # Where the appliance will read it, when the files are made on the broker host and copied.
        password_file=password_path or password_file,
        broker_host=broker_host,
        broker_port=broker_port,
        data_dir=data_dir,
    )
    _write_text(out, toml, mode=0o644)
    return Provisioned(device_id, out, password_file, generated)


def provision_hub(
    *,
    broker_dir: Path,
    out: Path,
    password: str | None = None,
    broker_host: str = "127.0.0.1",
    broker_port: int = 1883,
    db: str = "/var/lib/donthu-hub/index.db",
    panel_host: str = "127.0.0.1",
    panel_port: int = 8080,
    owner: str | None = None,
) -> Provisioned:
    """Register the hub user with the broker and write hub.toml, its 0600 password and panel secret key."""
    generated = password is None
    secret = new_password() if password is None else password
    out = out.resolve()
    password_file = out.parent / "hub.password"
    secret_key_file = out.parent / "hub.secret_key"
    set_password(passwd_file=broker_dir / "passwd", username=HUB_USER, password=secret)
    write_secret(password_file, secret, owner=owner)
    # Keep an existing panel key: rotating it on every re-run would log every operator out.
    if not secret_key_file.exists():
        write_secret(secret_key_file, secrets.token_hex(32), owner=owner)
    toml = render_hub_toml(
        password_file=password_file,
        secret_key_file=secret_key_file,
        broker_host=broker_host,
        broker_port=broker_port,
        db=db,
        panel_host=panel_host,
        panel_port=panel_port,
    )
    _write_text(out, toml, mode=0o644)
    return Provisioned(HUB_USER, out, password_file, generated)


# ---------------------------------------------------------------------------------------------
# District bridge and TLS certificates
# ---------------------------------------------------------------------------------------------


def render_bridge_conf(*, district: str, city_host: str, city_port: int, password: str = "",
                       cafile: Path | None = None, certfile: Path | None = None,
                       keyfile: Path | None = None) -> str:
    """Return the bridge section a district broker needs to relay its kiosks to the city."""
    validate_district(district)
    tls = ""
    if cafile is not None:
        tls = f"bridge_cafile {cafile}\n"
        if certfile is not None and keyfile is not None:
            tls += f"bridge_certfile {certfile}\nbridge_keyfile {keyfile}\n"
    return _template("bridge.conf.template").substitute(
        district=district, city_host=city_host, city_port=city_port,
        remote_password_line=f"remote_password {password}" if password else
        "# no remote_password: the city broker authenticates this bridge by its certificate",
        tls_lines=tls,
    )


def write_bridge(*, broker_dir: Path, district: str, city_host: str, city_port: int,
                 password: str = "", cafile: Path | None = None, certfile: Path | None = None,
                 keyfile: Path | None = None) -> Path:
    """Write ``DIR/conf.d/bridge-city.conf`` (0640: it may hold the bridge's password)."""
    text = render_bridge_conf(district=district, city_host=city_host, city_port=city_port,
                              password=password, cafile=cafile, certfile=certfile, keyfile=keyfile)
    conf_dir = broker_dir / "conf.d"
    try:
        conf_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ProvisionError(f"cannot create {conf_dir}: {e.strerror}", code="write_failed") from e
    path = conf_dir / "bridge-city.conf"
    _write_text(path, text, mode=0o640)
    return path


def _certs():  # noqa: ANN202 — the cryptography-based module, imported only when needed
    try:
        import importlib.util

        spec = importlib.util.spec_from_file_location("donthu_certs", Path(__file__).with_name("certs.py"))
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["donthu_certs"] = module
        spec.loader.exec_module(module)
        return module
    except ImportError as e:
        raise ProvisionError("the 'cryptography' package is needed for certificates "
                             "(pip install cryptography)", code="cryptography_missing") from e


# ---------------------------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------------------------


def _port(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port must be 1-65535, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argparse parser for ``provision.py``."""
    parser = argparse.ArgumentParser(
        prog="provision.py",
        description="Provision the Đơn thư city broker, a kiosk appliance or the hub.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    b = sub.add_parser("broker", help="write mosquitto.conf, acl, an empty passwd and the data dir")
    b.add_argument("--dir", type=Path, required=True, help="broker config dir, e.g. /etc/donthu/mosquitto")
    b.add_argument("--port", type=_port, default=1883, help="plain listener port (default 1883)")
    b.add_argument("--bind", default="127.0.0.1", help="listen address (default 127.0.0.1; 0.0.0.0 for kiosks on the LAN)")
    b.add_argument("--data-dir", type=Path, default=None, help="persistence dir (default DIR/data)")
    b.add_argument("--user", default="mosquitto", help="user Mosquitto drops to (default mosquitto)")
    b.add_argument("--max-queued-messages", type=int, default=200_000, help="queue per offline persistent client (default 200000)")
    b.add_argument("--max-queued-bytes", type=int, default=MAX_QUEUED_BYTES,
                   help=f"bytes queued per offline persistent client (default {MAX_QUEUED_BYTES}, 5 GiB)")
    b.add_argument("--memory-limit", type=int, default=MEMORY_LIMIT,
                   help=f"RAM the broker may hold, in bytes (default {MEMORY_LIMIT}, 6 GiB)")
    b.add_argument("--tls", action="store_true",
                   help="open a TLS listener with client certificates on --bind (see `ca`); the plain listener is then on 127.0.0.1 only")
    b.add_argument("--tls-port", type=_port, default=8883, help="TLS listener port (default 8883)")
    b.add_argument("--cafile", type=Path, default=TlsSettings.cafile)
    b.add_argument("--certfile", type=Path, default=TlsSettings.certfile)
    b.add_argument("--keyfile", type=Path, default=TlsSettings.keyfile)
    b.add_argument("--crlfile", type=Path, default=None, help="CRL of revoked kiosks (default crl.pem beside --cafile)")
    b.add_argument("--bridge-district", action="append", default=[], metavar="DISTRICT",
                   help="city broker: allow the DISTRICT broker's bridge (user bridge-DISTRICT); repeatable")

    ca = sub.add_parser("ca", help="create the fleet CA and the broker's server certificate (TLS)")
    ca.add_argument("--tls-dir", type=Path, required=True, help="where ca.crt/ca.key/server.crt/server.key go")
    ca.add_argument("--host", action="append", default=[], help="broker name or IP kiosks connect to; repeatable")
    ca.add_argument("--group", default="mosquitto", help="group that may read server.key (default mosquitto)")

    c = sub.add_parser("cert", help="issue a kiosk's client certificate (CN = device id) from the fleet CA")
    c.add_argument("--tls-dir", type=Path, required=True, help="dir holding ca.crt and ca.key")
    c.add_argument("--id", required=True, dest="device_id", help="device id = certificate CN = MQTT username")
    c.add_argument("--out-dir", type=Path, required=True, help="where ID.crt and ID.key (0600) go")
    c.add_argument("--bridge", action="store_true", help="a district bridge's certificate: ID is the district, CN bridge-ID")

    rv = sub.add_parser("revoke", help="retire a kiosk: delete its broker password, put its certificates on the CRL")
    rv.add_argument("device_id", metavar="ID", help="the kiosk's device id")
    rv.add_argument("--dir", type=Path, required=True, help="broker config dir (holds passwd)")
    rv.add_argument("--tls-dir", type=Path, default=None, help="the fleet CA's dir (holds crl.pem), when kiosks use certificates")

    br = sub.add_parser("bridge", help="district broker: write the bridge to the city broker")
    br.add_argument("--dir", type=Path, required=True, help="the district broker's config dir")
    br.add_argument("--district", required=True, help="district name, e.g. hoankiem")
    br.add_argument("--city-host", required=True, help="city broker address")
    br.add_argument("--city-port", type=_port, default=8883)
    br.add_argument("--password-file", default=None, metavar="FILE",
                    help="file whose first line is bridge-DISTRICT's password on the city broker ('-' = stdin)")
    br.add_argument("--bridge-cafile", type=Path, default=None, help="CA of the city broker (TLS)")
    br.add_argument("--bridge-certfile", type=Path, default=None, help="client certificate, CN bridge-DISTRICT")
    br.add_argument("--bridge-keyfile", type=Path, default=None)

    d = sub.add_parser("device", help="register a kiosk with the broker and write its edge.toml")
    d.add_argument("--dir", type=Path, required=True, help="broker config dir (holds passwd)")
    d.add_argument("--id", required=True, dest="device_id", help="device id, e.g. k01 (^[a-z0-9][a-z0-9_-]{1,62}$)")
    d.add_argument("--password-file", default=None, metavar="FILE",
                   help="file whose first line is the broker password ('-' = stdin; default: random)")
    d.add_argument("--out", type=Path, required=True, help="edge config to write, e.g. /etc/donthu/edge.toml")
    d.add_argument("--broker-host", default="127.0.0.1", help="broker address as the kiosk sees it")
    d.add_argument("--broker-port", type=_port, default=1883)
    d.add_argument("--data-dir", default="/var/lib/donthu-edge", help="kiosk data dir (default /var/lib/donthu-edge)")
    d.add_argument("--owner", default=None, help="chown the password file to this user (e.g. donthu-edge)")
    d.add_argument(
        "--password-path",
        type=Path,
        default=None,
        help="password_file written into edge.toml, when the files are copied to the appliance "
        "(default: the file written next to --out)",
    )

    h = sub.add_parser("hub", help="register the hub user with the broker and write hub.toml")
    h.add_argument("--dir", type=Path, required=True, help="broker config dir (holds passwd)")
    h.add_argument("--password-file", default=None, metavar="FILE",
                   help="file whose first line is the broker password ('-' = stdin; default: random)")
    h.add_argument("--out", type=Path, required=True, help="hub config to write, e.g. /etc/donthu/hub.toml")
    h.add_argument("--broker-host", default="127.0.0.1")
    h.add_argument("--broker-port", type=_port, default=1883)
    h.add_argument("--db", default="/var/lib/donthu-hub/index.db", help="city index SQLite file")
    h.add_argument("--panel-host", default="127.0.0.1")
    h.add_argument("--panel-port", type=_port, default=8080)
    h.add_argument("--owner", default=None, help="chown the password and key files to this user (e.g. donthu-hub)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point: parse arguments, run one subcommand, map ProvisionError to an exit code."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "broker":
            tls = None
            if args.tls:
                tls = TlsSettings(args.tls_port, args.cafile, args.certfile, args.keyfile, args.crlfile)
            files = write_broker(
                BrokerSettings(
                    dir=args.dir,
                    port=args.port,
                    bind=args.bind,
                    run_as_user=args.user,
                    tls=tls,
                    persistence_dir=args.data_dir,
                    max_queued_messages=args.max_queued_messages,
                    max_queued_bytes=args.max_queued_bytes,
                    memory_limit=args.memory_limit,
                    bridge_districts=tuple(args.bridge_district),
                )
            )
            print(f"wrote {files.conf}, {files.acl}; passwd {files.passwd}; data {files.data_dir}")
        elif args.command == "ca":
            certs = _certs()
            ca = certs.create_ca(args.tls_dir)
            server = certs.issue(args.tls_dir, common_name=(args.host or ["localhost"])[0],
                                 out_dir=args.tls_dir, server=True,
                                 hosts=tuple(args.host or ["localhost", "127.0.0.1"]),
                                 key_gid=broker_gid(args.group))
            crl = args.tls_dir / "crl.pem"
            if not crl.exists():
                certs.write_crl(args.tls_dir)
            print(f"fleet CA {ca.cert}; broker certificate {server.cert} (key {server.key}); CRL {crl}")
        elif args.command == "cert":
            if args.bridge:
                name = f"bridge-{validate_district(args.device_id)}"
            else:
                name = validate_device_id(args.device_id)
            issued = _certs().issue(args.tls_dir, common_name=name, out_dir=args.out_dir)
            print(f"certificate {issued.cert}, key {issued.key} (CN {name})")
        elif args.command == "revoke":
            removed, revoked = revoke_device(broker_dir=args.dir, device_id=args.device_id, tls_dir=args.tls_dir)
            print(f"{args.device_id}: password {'deleted' if removed else 'not found'}; "
                  f"{revoked} certificate(s) added to the CRL; restart the broker: systemctl restart mosquitto")
        elif args.command == "bridge":
            path = write_bridge(broker_dir=args.dir, district=args.district,
                                city_host=args.city_host, city_port=args.city_port,
                                password=read_secret(args.password_file) if args.password_file else "",
                                cafile=args.bridge_cafile,
                                certfile=args.bridge_certfile, keyfile=args.bridge_keyfile)
            print(f"wrote {path}; restart the district broker")
        elif args.command == "device":
            result = provision_device(
                broker_dir=args.dir,
                device_id=args.device_id,
                out=args.out,
                password=read_secret(args.password_file) if args.password_file else None,
                broker_host=args.broker_host,
                broker_port=args.broker_port,
                data_dir=args.data_dir,
                owner=args.owner,
                password_path=args.password_path,
            )
            _report(result)
        else:
            result = provision_hub(
                broker_dir=args.dir,
                out=args.out,
                password=read_secret(args.password_file) if args.password_file else None,
                broker_host=args.broker_host,
                broker_port=args.broker_port,
                db=args.db,
                panel_host=args.panel_host,
                panel_port=args.panel_port,
                owner=args.owner,
            )
            _report(result)
    except ProvisionError as e:
        print(f"error: {e}", file=sys.stderr)
        return e.exit_code
    return 0


def _report(result: Provisioned) -> None:
    how = "generated" if result.password_generated else "given"
    print(f"user {result.username}: password ({how}) in {result.password_file}; config {result.config}")
    print("reload the broker so it takes effect: systemctl reload mosquitto")


if __name__ == "__main__":
    sys.exit(main())
