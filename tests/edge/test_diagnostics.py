"""What a technician sees: on-site checks that name what is wrong, a software inventory every
kiosk reports, and a support bundle that carries no petition text and no secret."""
from __future__ import annotations

import datetime as dt
import json
import stat
import subprocess
import sys
import tarfile
from dataclasses import replace
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from edge import diagnostics, inventory
from edge.wire import StatusMessage, WireError, from_json, new_id, now_iso
from tests.conftest import PASSWORDS


def _cert(path: Path, *, days: float) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "k01")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=400))
            .not_valid_after(now + dt.timedelta(days=days)).sign(key, hashes.SHA256()))
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


def _hotfolder_cfg(edge_config, broker, tmp_path):
    hot = tmp_path / "in"
    hot.mkdir(exist_ok=True)
    return edge_config(broker, scanner={"source": "hotfolder", "hotfolder": hot})


def test_doctor_warns_of_a_certificate_about_to_expire_and_fails_an_expired_one(tmp_path, edge_config):
    cfg = _hotfolder_cfg(edge_config, None, tmp_path)
    soon = _cert(tmp_path / "ca.crt", days=10)
    gone = _cert(tmp_path / "k01.crt", days=-2)
    cfg = replace(cfg, mqtt=replace(cfg.mqtt, ca_file=soon, cert_file=gone))
    by_name = {c.name: c for c in diagnostics.checks(cfg, broker=False)}
    assert by_name["fleet CA"].level == diagnostics.WARN and "10 days left" in by_name["fleet CA"].detail
    assert by_name["client certificate"].level == diagnostics.FAIL
    assert "expired" in by_name["client certificate"].detail
    assert by_name["client certificate"].hint_vi  # the technician is told what to do


def test_doctor_fails_when_the_disk_is_below_the_spool_minimum(tmp_path, edge_config):
    cfg = _hotfolder_cfg(edge_config, None, tmp_path)
    cfg = replace(cfg, device=replace(cfg.device, spool_min_free_mb=1e12))  # more than any disk
    disk = next(c for c in diagnostics.checks(cfg, broker=False) if c.name == "disk")
    assert disk.level == diagnostics.FAIL and "GB free" in disk.detail


def test_doctor_reports_the_test_scanners_feeder():
    from edge.config import load_config

    cfg = load_config(env={})  # SANE's test backend through the project's dll.conf
    names = {c.name: c for c in diagnostics.checks(cfg, broker=False)}
    assert names["scanner"].level == diagnostics.OK
    assert names["feeder"].level == diagnostics.OK


def test_doctor_json_lists_every_check(broker, tmp_path):
    import os

    (tmp_path / "in").mkdir()
    env = dict(os.environ, DONTHU_EDGE_SCANNER_SOURCE="hotfolder",
               DONTHU_EDGE_SCANNER_HOTFOLDER=str(tmp_path / "in"),
               DONTHU_EDGE_DEVICE_DATA_DIR=str(tmp_path / "data"),
               DONTHU_EDGE_MQTT_PORT=str(broker.port), DONTHU_EDGE_MQTT_PASSWORD=PASSWORDS["k01"])
    out = subprocess.run([sys.executable, "-m", "edge", "doctor", "--json"], capture_output=True,
                         text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    names = {c["name"]: c["level"] for c in json.loads(out.stdout)}
    assert {"tesseract", "hot folder", "broker", "clock", "disk"} <= set(names)
    assert set(names.values()) <= {"ok", "warn"}


def test_every_status_message_carries_the_software_inventory():
    sw = inventory.software()
    assert sw["version"] and sw["tesseract"].startswith(("4.", "5.")) and len(sw["tessdata"]) == 12
    assert isinstance(sw["fingerprint"], int)
    msg = StatusMessage(msg_id=new_id(), device_id="k01", sent_at=now_iso(), state="online",
                        boot_id="b1", software=sw)
    assert from_json(msg.to_json()).software == sw


def test_a_hostile_inventory_is_refused():
    for bad in ({"version": "x" * 500}, {"build": ["a"]}, {"fingerprint": 2**40}, {"os": "a\nb"}, []):
        body = json.loads(StatusMessage(msg_id=new_id(), device_id="k01", sent_at=now_iso(),
                                        state="online", boot_id="b").to_json())
        body["software"] = bad
        try:
            from_json(json.dumps(body).encode())
        except WireError:
            continue
        raise AssertionError(f"accepted software={bad!r}")


def test_support_bundle_has_settings_and_checks_but_no_secret_and_no_personal_numbers(
        tmp_path, edge_config, monkeypatch):
    cfg = _hotfolder_cfg(edge_config, None, tmp_path)
    cfg = replace(cfg, mqtt=replace(cfg.mqtt, password="s3cret-broker-pw"))
    monkeypatch.setattr(diagnostics, "_journal",
                        lambda *a, **k: "page 3 of batch b1 done; caller 0912345678 id 001085012345\n")
    path = diagnostics.support_bundle(cfg, tmp_path / "bundle.tar.gz", broker=False)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with tarfile.open(path) as tar:
        members = {m.name.split("/", 1)[1]: tar.extractfile(m).read().decode() for m in tar.getmembers()}
    assert {"inventory.json", "checks.json", "settings.json", "journal.txt", "system.txt"} <= set(members)
    everything = "".join(members.values())
    assert "s3cret-broker-pw" not in everything
    assert "0912345678" not in everything and "001085012345" not in everything
    assert json.loads(members["settings.json"])["mqtt"]["password"] == "<redacted>"
    assert json.loads(members["inventory.json"])["version"] == inventory.package_version()
