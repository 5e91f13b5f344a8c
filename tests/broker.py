"""A real Mosquitto on a free loopback port, configured by firmware_config/provision.py, for tests."""
from __future__ import annotations

import atexit
import importlib.util
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

PROVISION_PY = Path(__file__).resolve().parent.parent / "firmware_config" / "provision.py"
START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 5.0
RELOAD_TIMEOUT_S = 5.0

# MQTT 3.1.1 CONNACK return codes (used only to see whether the broker answers / knows a user).
CONNACK_ACCEPTED = 0
CONNACK_NOT_AUTHORIZED = 5


_LIVE: list[Broker] = []


def _stop_all() -> None:
    for broker in list(_LIVE):
        broker.stop()


atexit.register(_stop_all)  # never leave a broker behind when a test run aborts


def load_provision() -> ModuleType:
    """Import firmware_config/provision.py by path (firmware_config is not an installed package)."""
    name = "donthu_provision"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, PROVISION_PY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look the module up while the class body runs
    spec.loader.exec_module(module)
    return module


def mosquitto_binary() -> str:
    """Path of the mosquitto broker binary."""
    found = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    if not os.access(found, os.X_OK):
        raise RuntimeError("mosquitto is not installed (apt-get install mosquitto)")
    return found


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def mqtt_connack(host: str, port: int, *, username: str = "", password: str = "", timeout_s: float = 2.0) -> int:
    """Send a bare MQTT 3.1.1 CONNECT and return the CONNACK return code (raises OSError if no broker)."""

    def utf8(text: str) -> bytes:
        raw = text.encode()
        return struct.pack("!H", len(raw)) + raw

    flags = 0x02  # clean session
    payload = utf8(f"probe-{os.getpid()}-{time.monotonic_ns()}")
    if username:
        flags |= 0x80
        payload += utf8(username)
        if password:
            flags |= 0x40
            payload += utf8(password)
    variable = utf8("MQTT") + bytes([4, flags]) + struct.pack("!H", 10)
    body = variable + payload
    assert len(body) < 128  # one-byte remaining length is enough for a probe
    with socket.create_connection((host, port), timeout=timeout_s) as s:
        s.settimeout(timeout_s)
        s.sendall(bytes([0x10, len(body)]) + body)
        reply = b""
        while len(reply) < 4:
            chunk = s.recv(4 - len(reply))
            if not chunk:
                raise ConnectionError("broker closed the connection before CONNACK")
            reply += chunk
        if reply[0] != 0x20:
            raise ConnectionError(f"unexpected packet type 0x{reply[0]:02x}")
        code = reply[3]
        s.sendall(b"\xe0\x00")  # DISCONNECT
        return code


@dataclass(eq=False)  # identity semantics: a Broker is one process handle
class Broker:
    """A running Mosquitto using our generated config; ``dir`` holds conf, acl, passwd, data, log."""

    host: str
    port: int
    dir: Path
    users: dict[str, str] = field(default_factory=dict)
    tls_port: int | None = None
    _proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def log_file(self) -> Path:
        return self.dir / "mosquitto.log"

    def add_user(self, username: str, password: str) -> None:
        """Add/update a broker user and reload Mosquitto (SIGHUP); returns once the login works."""
        provision = load_provision()
        provision.set_password(passwd_file=self.dir / "passwd", username=username, password=password)
        self.users[username] = password
        if self._proc is None or self._proc.poll() is not None:
            return
        self._proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + RELOAD_TIMEOUT_S
        while True:
            try:
                if mqtt_connack(self.host, self.port, username=username, password=password) == CONNACK_ACCEPTED:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"broker did not accept user {username!r} after reload; see {self.log_file}")
            time.sleep(0.05)

    def start(self) -> None:
        """Start Mosquitto and wait (up to 10 s) until it answers MQTT CONNECT."""
        if self._proc is not None and self._proc.poll() is None:
            return
        log = open(self.log_file, "ab")  # handed to the child; our copy is closed below
        try:
            self._proc = subprocess.Popen(
                [mosquitto_binary(), "-c", str(self.dir / "mosquitto.conf")],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        finally:
            log.close()
        if self not in _LIVE:
            _LIVE.append(self)
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if self._proc.poll() is not None:
                raise RuntimeError(
                    f"mosquitto exited with {self._proc.returncode}: {self.log_file.read_text(errors='replace')[-2000:]}"
                )
            try:
                mqtt_connack(self.host, self.port, timeout_s=1.0)
                return
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"mosquitto did not accept connections within {START_TIMEOUT_S:.0f} s")
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop Mosquitto (SIGTERM, then SIGKILL after 5 s); it saves its database on SIGTERM."""
        proc, self._proc = self._proc, None
        if self in _LIVE:
            _LIVE.remove(self)
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=STOP_TIMEOUT_S)

    def kill(self) -> None:
        """Crash Mosquitto (SIGKILL, no final save) to test what persistence keeps."""
        proc, self._proc = self._proc, None
        if self in _LIVE:
            _LIVE.remove(self)
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(timeout=STOP_TIMEOUT_S)

    def restart(self) -> None:
        """Stop, then start again on the same port with the same data dir."""
        self.stop()
        self.start()


def start_broker(dir: Path, *, users: dict[str, str] | None = None, autosave_interval: int = 60,
                 tls_dir: Path | None = None, run_as: str | None = None) -> Broker:
    """Provision a broker in ``dir`` with our config on a free loopback port, add ``users``, start it.

    With ``tls_dir`` (holding ca.crt, server.crt, server.key, crl.pem) a TLS listener with
    client certificates is opened too; its port is ``broker.tls_port``. ``run_as`` is the
    user Mosquitto drops to (default: root under root, as pytest's tmp dirs are root's).
    """
    provision = load_provision()
    dir.mkdir(parents=True, exist_ok=True)
    # Mosquitto reads passwd and writes its database after dropping root; pytest's tmp dirs
    # are 0700 root, so the test broker stays root (production drops to "mosquitto").
    run_as = run_as or ("root" if os.geteuid() == 0 else "mosquitto")
    for attempt in range(3):
        port = free_port()
        tls = None
        if tls_dir is not None:
            tls = provision.TlsSettings(port=free_port(), cafile=tls_dir / "ca.crt",
                                        certfile=tls_dir / "server.crt", keyfile=tls_dir / "server.key",
                                        crlfile=tls_dir / "crl.pem")
        provision.write_broker(
            provision.BrokerSettings(
                dir=dir,
                port=port,
                bind="127.0.0.1",
                run_as_user=run_as,
                autosave_interval=autosave_interval,
                log_timestamp=True,
                tls=tls,
            )
        )
        if attempt == 0:
            for username, password in (users or {}).items():
                provision.set_password(passwd_file=dir / "passwd", username=username, password=password)
        broker = Broker(host="127.0.0.1", port=port, dir=dir, users=dict(users or {}))
        broker.tls_port = tls.port if tls else None
        try:
            broker.start()
            return broker
        except RuntimeError:
            # Another process took the free port between free_port() and bind(): try another.
            if attempt == 2 or "Address already in use" not in broker.log_file.read_text(errors="replace"):
                raise
    raise AssertionError("unreachable")
