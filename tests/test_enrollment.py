"""A kiosk enrolled in one step: the hub makes a one-time code, the appliance redeems it over
the panel's /enroll endpoint and its first document reaches the index; used, expired,
wrong-id, guessed and tampered codes are refused; retiring a kiosk locks it out at once."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from edge import enrollment
from hub.config import FleetConfig, HubConfig, MqttConfig
from hub.fleet import enroll
from hub.index.db import open_index
from hub.panel import create_app
from tests.broker import mqtt_connack
from tests.conftest import wait_for
from tests.faults.harness import AgentProcess, drop_batches, start_ingester

REPO = Path(__file__).resolve().parents[1]
CONNACK_ACCEPTED = 0


class Panel:
    """The panel on a free loopback port, in a thread."""

    def __init__(self, db_path: Path) -> None:
        app = create_app({"DATABASE": str(db_path), "SECRET_KEY": "test", "TESTING": True})
        self.db_path = str(db_path)
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()


@pytest.fixture
def fleet(tmp_path, broker):
    index = tmp_path / "index.db"
    db = open_index(index)
    panel = Panel(index)
    cfg = HubConfig(
        mqtt=MqttConfig(host="127.0.0.1", port=broker.port),
        fleet=FleetConfig(broker_dir=broker.dir, broker_host="127.0.0.1", broker_port=broker.port,
                          hub_url=panel.url, reload_command=f"kill -HUP {broker._proc.pid}"))
    yield db, cfg, panel
    panel.stop()


def edge_enroll(code_text: str, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    """``python -m edge enroll`` with the code on standard input, as a technician pipes it."""
    return subprocess.run([sys.executable, "-m", "edge", "enroll", "--config-dir", str(tmp_path / "etc"),
                           "--data-dir", str(tmp_path / "data"), "--no-start", *extra],
                          input=code_text + "\n", capture_output=True, text=True, timeout=60, cwd=REPO)


@pytest.mark.slow
def test_a_kiosk_enrolls_with_a_code_and_its_first_document_reaches_the_index(
        fleet, broker, tmp_path, monkeypatch):
    db, cfg, panel = fleet
    code, _ = enroll.add_device(db, cfg, device_id="k07", name="Phường Hàng Bạc", point="Quầy 1", by="test")
    text = code.text()
    assert enrollment.parse_code(text) == code and len(code.secret) * 8 >= 64
    out = edge_enroll(text, tmp_path)
    assert out.returncode == 0, out.stderr
    etc = tmp_path / "etc"
    password_file = etc / "k07.password"
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    assert stat.S_IMODE((etc / "edge.toml").stat().st_mode) == 0o640
    assert text not in (etc / "edge.toml").read_text()
    password = password_file.read_text().strip()
    assert mqtt_connack("127.0.0.1", broker.port, username="k07", password=password) == CONNACK_ACCEPTED

    # Its first document, through the enrolled config, reaches the index.
    hot = tmp_path / "scan-in"
    hot.mkdir()
    for key, value in {"SCANNER_SOURCE": "hotfolder", "SCANNER_HOTFOLDER": str(hot), "SCANNER_SETTLE_S": "0.3",
                       "SCANNER_DPI": "150", "OCR_WORKERS": "1", "KIOSK_ENABLED": "false"}.items():
        monkeypatch.setenv(f"DONTHU_EDGE_{key}", value)
    ingester = start_ingester(broker, tmp_path / "index.db")
    agent = AgentProcess(etc / "edge.toml", tmp_path / "agent.log")
    agent.start()
    try:
        drop_batches(hot, 0, 1)
        wait_for(lambda: db.execute("select count(*) from documents where device_id = 'k07'").fetchone()[0],
                 timeout=120, what=f"k07's first document; agent log:\n{agent.tail()}")
        # Retiring it locks it out of the broker within seconds: its live session is closed too.
        enroll.retire(db, cfg, device_id="k07", by="test")
        assert mqtt_connack("127.0.0.1", broker.port, username="k07", password=password) != CONNACK_ACCEPTED
    finally:
        agent.stop()
        ingester.stop()
    states = {e.device_id: e.state for e in enroll.enrollments(db)}
    assert states["k07"] == "retired"


def test_used_expired_wrong_id_guessed_and_tampered_codes_are_refused(fleet, broker, tmp_path):
    db, cfg, panel = fleet
    code, _ = enroll.add_device(db, cfg, device_id="k08", by="test")
    assert edge_enroll(code.text(), tmp_path).returncode == 0
    again = edge_enroll(code.text(), tmp_path / "second")
    assert again.returncode == 2 and "đã được dùng" in again.stderr and "[used]" in again.stderr

    # Expired: a code made 25 hours ago.
    old, _ = enroll.add_device(db, cfg, device_id="k09", by="test",
                               now=datetime.now(UTC) - timedelta(hours=25))
    late = edge_enroll(old.text(), tmp_path / "late")
    assert late.returncode == 2 and "[expired]" in late.stderr and "hết hạn" in late.stderr

    # Wrong id: the kiosk was told it is k10 but the code is k11's.
    k11, _ = enroll.add_device(db, cfg, device_id="k11", by="test")
    wrong = edge_enroll(k11.text(), tmp_path / "wrong", "--id", "k10")
    assert wrong.returncode == 2 and "k11" in wrong.stderr and not (tmp_path / "wrong" / "etc").exists()

    # Guessed: the right id with another secret, five times, locks the code for good.
    guess = replace(k11, secret=os.urandom(enrollment.SECRET_BYTES))
    for _ in range(enroll.MAX_FAILURES):
        with pytest.raises(enrollment.EnrollError) as e:
            enrollment.request_credentials(guess)
        assert e.value.code == "bad_code"
    with pytest.raises(enrollment.EnrollError) as e:
        enrollment.request_credentials(k11)
    assert e.value.code == "locked"

    # A typo is caught on the appliance, before anything is sent.
    typo = code.text()[:-3] + ("AAA" if not code.text().endswith("AAA") else "BBB")
    with pytest.raises(enrollment.EnrollError) as e:
        enrollment.parse_code(typo)
    assert e.value.code == "bad_code"


def test_a_fake_hub_or_a_tampered_answer_is_refused(fleet, tmp_path):
    db, cfg, panel = fleet
    code, _ = enroll.add_device(db, cfg, device_id="k12", by="test")
    sealed = db.execute("select sealed from device_enrollments where device_id = 'k12'").fetchone()[0]
    # A man in the middle flips one bit of the hub's answer.
    raw = bytearray(__import__("base64").b64decode(sealed))
    raw[-1] ^= 1
    with pytest.raises(enrollment.EnrollError) as e:
        enrollment.open_sealed(code, __import__("base64").b64encode(bytes(raw)).decode())
    assert e.value.code == "not_the_hub"
    # A fake hub seals credentials of its own under a key it does not have.
    other = enrollment.new_code("k12", hub_url=panel.url)
    forged = enrollment.seal(other, {"device_id": "k12", "password": "attacker", "broker_host": "evil"})
    with pytest.raises(enrollment.EnrollError) as e:
        enrollment.open_sealed(code, forged)
    assert e.value.code == "not_the_hub"
    # A fleet on TLS: the CA in the answer must be the one the code pins.
    pinned = replace(code, ca_fingerprint="00" * 32)
    genuine = enrollment.seal(pinned, {"device_id": "k12", "ca_pem": _some_ca_pem(tmp_path)})
    with pytest.raises(enrollment.EnrollError) as e:
        enrollment.open_sealed(pinned, genuine)
    assert e.value.code == "ca_mismatch"


def test_the_enroll_endpoint_rate_limits_an_address_and_refuses_junk(fleet):
    db, cfg, panel = fleet
    client = create_app({"DATABASE": panel.db_path, "SECRET_KEY": "t", "TESTING": True}).test_client()
    for junk in (b"not json", b"[]", json.dumps({"device_id": "../x", "proof": "00"}).encode(),
                 json.dumps({"device_id": "k01", "proof": "zz" * 32}).encode()):
        r = client.post("/enroll", data=junk, content_type="application/json")
        assert r.status_code == 400 and r.get_json()["error"] == "bad_code"
    statuses = [client.post("/enroll", json={"device_id": "k99", "proof": "0" * 64}).status_code
                for _ in range(enroll.MAX_ATTEMPTS_PER_WINDOW + 2)]
    assert statuses[0] == 403 and statuses[-1] == 429
    assert "Set-Cookie" not in client.post("/enroll", json={"device_id": "k99", "proof": "0" * 64}).headers


def _some_ca_pem(tmp_path: Path) -> str:
    from tests.broker import load_provision

    certs = load_provision()._certs()
    certs.create_ca(tmp_path / "ca")
    return (tmp_path / "ca" / "ca.crt").read_text()


def test_retiring_a_kiosk_on_a_tls_fleet_puts_its_certificate_on_the_crl(fleet, tmp_path):
    from cryptography import x509

    from tests.broker import load_provision

    db, cfg, panel = fleet
    tls = tmp_path / "tls"
    load_provision()._certs().create_ca(tls)
    cfg = replace(cfg, fleet=replace(cfg.fleet, tls_dir=tls))
    code, _ = enroll.add_device(db, cfg, device_id="k13", by="test")
    sealed = db.execute("select sealed from device_enrollments where device_id = 'k13'").fetchone()[0]
    cert = x509.load_pem_x509_certificate(enrollment.open_sealed(code, sealed)["cert_pem"].encode())
    enroll.retire(db, cfg, device_id="k13", by="test")
    crl = x509.load_pem_x509_crl((tls / "crl.pem").read_bytes())
    assert crl.get_revoked_certificate_by_serial_number(cert.serial_number) is not None
