"""Attacks 4, 7 and 8: the broker as a kiosk's credentials (or a local user) can use it.

Before: any login could connect with the hub's (or another kiosk's) client id and knock it
off every second; with ``--tls`` the password listener stayed on every address; the TLS
listener as documented did not start (``server.key`` 0600 root, unreadable by the mosquitto
user); a retired kiosk's certificate stayed valid (no CRL); a device named
``bridge-<district>`` got the bridge's rights; no ``memory_limit``; ``--password`` put
secrets on command lines.
"""
from __future__ import annotations

import os
import shutil
import ssl
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.broker import PROVISION_PY, load_provision, start_broker
from tests.security.conftest import Client

provision = load_provision()


def _cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(PROVISION_PY), *args], capture_output=True, text=True,
                          timeout=30, check=False, input=stdin)


def test_a_kiosk_cannot_take_the_hubs_or_another_kiosks_session(broker):  # noqa: ANN001
    hub = Client(broker, "hub", client_id="hub-ingest")
    victim = Client(broker, "k02", client_id="k02")
    assert hub.wait_connected() and victim.wait_connected()
    for stolen in ("hub-ingest", "hub", "k02"):
        attacker = Client(broker, "k01", client_id=stolen)
        assert attacker.wait_connected()
        time.sleep(0.3)
        attacker.close()
    time.sleep(0.5)
    try:
        assert hub.disconnects == 0 and victim.disconnects == 0
        assert hub.connects == 1 and victim.connects == 1
    finally:
        hub.close()
        victim.close()


def test_with_tls_passwords_are_heard_on_loopback_only(tmp_path):  # noqa: ANN001
    assert _cli("broker", "--dir", str(tmp_path), "--bind", "0.0.0.0", "--tls").returncode == 0
    lines = (tmp_path / "mosquitto.conf").read_text().splitlines()
    listeners = [line for line in lines if line.startswith("listener ")]
    assert listeners == ["listener 1883 127.0.0.1", "listener 8883 0.0.0.0"]
    assert f"crlfile {Path('/etc/donthu/mosquitto/tls/crl.pem')}" in lines
    assert lines.count("use_username_as_clientid true") == 2  # on both listeners
    assert any(line.startswith("memory_limit ") and int(line.split()[1]) > 0 for line in lines)
    assert any(line.startswith("max_queued_bytes ") and int(line.split()[1]) > 0 for line in lines)


@pytest.mark.parametrize("name", ["bridge-hoankiem", "hub2", "hub-ingest", "admin", "mosquitto-x", "sys"])
def test_reserved_names_cannot_be_kiosks(tmp_path, name):  # noqa: ANN001
    assert _cli("broker", "--dir", str(tmp_path)).returncode == 0
    r = _cli("device", "--dir", str(tmp_path), "--id", name, "--out", str(tmp_path / "e.toml"))
    assert r.returncode == 2 and "reserved" in r.stderr
    assert name not in (tmp_path / "passwd").read_text()


def test_passwords_never_go_on_the_command_line(tmp_path):  # noqa: ANN001
    assert _cli("broker", "--dir", str(tmp_path)).returncode == 0
    for command in ("device", "hub", "bridge"):
        assert "--password " not in _cli(command, "--help").stdout
    refused = _cli("device", "--dir", str(tmp_path), "--id", "k01", "--out", str(tmp_path / "e.toml"),
                   "--password", "s3cret")
    assert refused.returncode == 2 and "k01" not in (tmp_path / "passwd").read_text()
    ok = _cli("device", "--dir", str(tmp_path), "--id", "k01", "--out", str(tmp_path / "e.toml"),
              "--password-file", "-", stdin="s3cret-from-stdin\n")
    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / "k01.password").read_text().strip() == "s3cret-from-stdin"
    (tmp_path / "pw").write_text("from-a-file\n")
    assert _cli("hub", "--dir", str(tmp_path), "--out", str(tmp_path / "hub.toml"),
                "--password-file", str(tmp_path / "pw")).returncode == 0
    assert (tmp_path / "hub.password").read_text().strip() == "from-a-file"


def _tls(tls: Path, certs: Path, device: str) -> tuple[str, str, str]:
    return str(tls / "ca.crt"), str(certs / f"{device}.crt"), str(certs / f"{device}.key")


def _tls_connects(broker, files: tuple[str, str, str]) -> bool:  # noqa: ANN001
    # With TLS 1.3 the broker checks the client's certificate after the client has finished
    # its side of the handshake: a refusal is a dropped connection, not always an error here.
    try:
        c = Client(broker, "", port=broker.tls_port, tls=files)
    except (ssl.SSLError, OSError):
        return False
    try:
        return c.wait_connected(3)
    finally:
        c.close()


def test_a_revoked_kiosk_is_refused_on_both_listeners(tmp_path):  # noqa: ANN001
    tls = tmp_path / "tls"
    assert _cli("ca", "--tls-dir", str(tls), "--host", "127.0.0.1").returncode == 0
    assert _cli("cert", "--tls-dir", str(tls), "--id", "k01", "--out-dir", str(tmp_path / "k01")).returncode == 0
    assert _cli("cert", "--tls-dir", str(tls), "--id", "k02", "--out-dir", str(tmp_path / "k02")).returncode == 0
    broker = start_broker(tmp_path / "mq", users={"k01": "k01-secret-1"}, tls_dir=tls)
    try:
        c = Client(broker, "", port=broker.tls_port, tls=_tls(tls, tmp_path / "k01", "k01"))
        assert c.wait_connected()
        c.close()
        r = _cli("revoke", "k01", "--dir", str(broker.dir), "--tls-dir", str(tls))
        assert r.returncode == 0, r.stderr
        assert "1 certificate" in r.stdout and "k01" not in (broker.dir / "passwd").read_text()
        broker.restart()
        assert not _tls_connects(broker, _tls(tls, tmp_path / "k01", "k01"))
        refused = Client(broker, "k01")
        time.sleep(1)
        assert refused.connects == 0
        refused.close()
        other = Client(broker, "", port=broker.tls_port, tls=_tls(tls, tmp_path / "k02", "k02"))
        assert other.wait_connected()  # the others are not touched
        other.close()
    finally:
        broker.stop()


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("mosquitto") is None, reason="needs root to drop to the mosquitto user")
def test_the_tls_broker_starts_as_the_mosquitto_user(tmp_path):  # noqa: ANN001
    # pytest's folders are root's alone; the broker's user must reach its files as in /etc.
    base = Path(tempfile.mkdtemp(prefix="donthu-tls-", dir="/tmp"))
    os.chmod(base, 0o755)
    try:
        tls = base / "tls"
        assert _cli("ca", "--tls-dir", str(tls), "--host", "127.0.0.1").returncode == 0
        key = (tls / "server.key").stat()
        assert stat.S_IMODE(key.st_mode) == 0o640 and key.st_uid == 0 and key.st_gid == provision.broker_gid()
        assert stat.S_IMODE((tls / "ca.key").stat().st_mode) == 0o600
        assert _cli("cert", "--tls-dir", str(tls), "--id", "k01", "--out-dir", str(base / "k01")).returncode == 0
        broker = start_broker(base / "mq", users={"hub": "hub-secret-1"}, tls_dir=tls, run_as="mosquitto")
        try:
            c = Client(broker, "", port=broker.tls_port, tls=_tls(tls, base / "k01", "k01"))
            assert c.wait_connected()
            c.close()
            # As it was: a key only root can read, and the broker does not start.
            os.chmod(tls / "server.key", 0o600)
            with pytest.raises((RuntimeError, TimeoutError)):
                broker.restart()
            # Provisioning the broker again gives the key back to its group.
            provision.write_broker(provision.BrokerSettings(
                dir=broker.dir, port=broker.port, run_as_user="mosquitto", tls=provision.TlsSettings(
                    port=broker.tls_port, cafile=tls / "ca.crt", certfile=tls / "server.crt",
                    keyfile=tls / "server.key")))
            broker.start()
            c = Client(broker, "", port=broker.tls_port, tls=_tls(tls, base / "k01", "k01"))
            assert c.wait_connected()
            c.close()
        finally:
            broker.stop()
    finally:
        shutil.rmtree(base, ignore_errors=True)
