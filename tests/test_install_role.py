"""``install.sh --hub`` / ``--kiosk`` lay out a production host, staged under --root here
(no users, no services on a test machine): source, units, directories and modes, broker
config and hub.toml; a second run changes nothing that was right (keys and passwords kept)."""
from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def install(role: str, root: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "scripts/install_role.py"), role, "--root", str(root),
                           "--skip-venv", *extra], capture_output=True, text=True, timeout=120)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_kiosk_role_lays_out_the_appliance(tmp_path):
    out = install("kiosk", tmp_path)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "opt/donthu/src/edge/agent.py").is_file()
    assert not list((tmp_path / "opt/donthu/src").rglob("__pycache__"))
    assert (tmp_path / "etc/systemd/system/donthu-edge.service").is_file()
    assert (tmp_path / "etc/sysusers.d/donthu.conf").is_file()
    assert mode(tmp_path / "var/lib/donthu-edge") == 0o750
    assert mode(tmp_path / "srv/donthu/scan-in") == 0o770
    assert "python -m edge enroll" in out.stdout


def test_hub_role_provisions_the_broker_with_tls_and_is_idempotent(tmp_path):
    out = install("hub", tmp_path, "--tls-host", "broker.donthu.lan", "--tls-host", "10.20.0.1")
    assert out.returncode == 0, out.stderr
    broker = tmp_path / "etc/donthu/mosquitto"
    conf = (broker / "mosquitto.conf").read_text()
    assert "8883" in conf and "require_certificate true" in conf
    tls = broker / "tls"
    ca = (tls / "ca.crt").read_bytes()
    hub_toml = tmp_path / "etc/donthu/hub.toml"
    first = hub_toml.read_text()
    assert mode(tls / "ca.key") == 0o600
    assert mode(tmp_path / "var/lib/donthu-hub") == 0o2770  # shared with the panel (group donthu-index)
    for unit in ("donthu-hub-ingest.service", "donthu-hub-panel.service", "mosquitto.service.d/donthu.conf"):
        assert (tmp_path / "etc/systemd/system" / unit).is_file()
    again = install("hub", tmp_path, "--tls-host", "broker.donthu.lan", "--tls-host", "10.20.0.1")
    assert again.returncode == 0, again.stderr
    assert (tls / "ca.crt").read_bytes() == ca  # the fleet CA is kept: issued certificates stay valid
    assert hub_toml.read_text() == first  # the hub's broker password is kept
