"""The generated broker config against a real Mosquitto, and the technician's provisioning CLI."""
from __future__ import annotations

import stat
import subprocess
import sys
import threading
import time
import tomllib
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

try:  # tests/ as a package or as a plain directory on sys.path
    from tests.broker import PROVISION_PY, Broker, load_provision, start_broker
except ImportError:
    from broker import PROVISION_PY, Broker, load_provision, start_broker

TIMEOUT_S = 5.0
NOT_AUTHORIZED = 135
BAD_CREDENTIALS = 134
# PUBACK 16 is success too (MQTT 5: reason codes < 128 are not errors); Mosquitto sends it
# when nobody is subscribed yet. An uplink must not treat it as a failure.
NO_MATCHING_SUBSCRIBERS = 16

provision = load_provision()


class Client:
    """A paho-mqtt 2.x MQTT v5 client with blocking helpers that all time out."""

    def __init__(self, broker: Broker, username: str, password: str, *, client_id: str | None = None,
                 clean_start: bool = True) -> None:
        self.mqtt = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=client_id or f"t-{username}", protocol=mqtt.MQTTv5
        )
        self.mqtt.username_pw_set(username, password)
        self.connected = threading.Event()
        self.connack: mqtt.ReasonCode | None = None
        self.subscribed = threading.Event()
        self.messages: list[mqtt.MQTTMessage] = []
        self.got_message = threading.Condition()
        self.pubacks: dict[int, int] = {}
        self.puback_seen = threading.Condition()
        self.mqtt.on_connect = self._on_connect
        self.mqtt.on_subscribe = lambda c, u, mid, codes, props: self.subscribed.set()
        self.mqtt.on_message = self._on_message
        self.mqtt.on_publish = self._on_publish
        self._broker = broker
        self._clean_start = clean_start

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        self.connack = reason_code
        self.connected.set()
        if reason_code.is_failure:
            client.disconnect()  # otherwise paho's loop waits to retry and close() blocks on it

    def _on_message(self, client, userdata, message) -> None:
        with self.got_message:
            self.messages.append(message)
            self.got_message.notify_all()

    def _on_publish(self, client, userdata, mid, reason_code, properties) -> None:
        with self.puback_seen:
            self.pubacks[mid] = reason_code.value
            self.puback_seen.notify_all()

    def connect(self) -> int:
        """Connect and return the CONNACK reason code value."""
        props = None
        if not self._clean_start:
            props = mqtt.Properties(mqtt.PacketTypes.CONNECT)
            props.SessionExpiryInterval = 3600
        self.mqtt.connect(self._broker.host, self._broker.port, keepalive=10,
                          clean_start=self._clean_start, properties=props)
        self.mqtt.loop_start()
        assert self.connected.wait(TIMEOUT_S), "no CONNACK"
        assert self.connack is not None
        return self.connack.value

    def subscribe(self, topic: str) -> None:
        self.subscribed.clear()
        self.mqtt.subscribe(topic, qos=1)
        assert self.subscribed.wait(TIMEOUT_S), "no SUBACK"

    def publish(self, topic: str, payload: bytes) -> int:
        """Publish QoS 1 and return the PUBACK reason code value."""
        info = self.mqtt.publish(topic, payload, qos=1)
        assert info.rc == mqtt.MQTT_ERR_SUCCESS, info.rc
        with self.puback_seen:
            assert self.puback_seen.wait_for(lambda: info.mid in self.pubacks, TIMEOUT_S), "no PUBACK"
            return self.pubacks[info.mid]

    def wait_for(self, topic: str) -> mqtt.MQTTMessage:
        with self.got_message:
            ok = self.got_message.wait_for(lambda: any(m.topic == topic for m in self.messages), TIMEOUT_S)
            assert ok, f"nothing received on {topic}"
            return next(m for m in self.messages if m.topic == topic)

    def close(self) -> None:
        self.mqtt.disconnect()
        self.mqtt.loop_stop()


USERS = {"k01": "pw-k01", "k02": "pw-k02", "hub": "pw-hub"}


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory):
    b = start_broker(tmp_path_factory.mktemp("broker"), users=USERS)
    yield b
    b.stop()


@pytest.fixture
def clients(broker: Broker):
    made: list[Client] = []

    def make(username: str, password: str | None = None, **kw) -> Client:
        c = Client(broker, username, USERS.get(username, "") if password is None else password, **kw)
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()


def test_device_publishes_own_topic_and_hub_receives_it(clients) -> None:
    hub = clients("hub")
    assert hub.connect() == 0
    hub.subscribe("kiosk/#")
    k01 = clients("k01")
    assert k01.connect() == 0

    assert k01.publish("kiosk/k01/doc", b'{"doc": 1}') == 0

    assert hub.wait_for("kiosk/k01/doc").payload == b'{"doc": 1}'


def test_device_cannot_publish_as_another_device(clients) -> None:
    hub = clients("hub")
    assert hub.connect() == 0
    hub.subscribe("kiosk/#")
    k01 = clients("k01")
    assert k01.connect() == 0

    assert k01.publish("kiosk/k02/doc", b"forged") == NOT_AUTHORIZED
    # A later legitimate message is the barrier: once it arrived, the forged one would have too.
    assert k01.publish("kiosk/k01/doc", b"barrier") == 0
    hub.wait_for("kiosk/k01/doc")
    assert [m.topic for m in hub.messages if m.topic.startswith("kiosk/k02")] == []


def test_hub_addresses_one_device_only(clients) -> None:
    k01, k02 = clients("k01"), clients("k02")
    for c in (k01, k02):
        assert c.connect() == 0
    k01.subscribe("hub/k01/#")
    k02.subscribe("hub/#")  # asks for everything; the ACL must still hide k01's commands
    k02.subscribe("hub/k02/#")
    hub = clients("hub")
    assert hub.connect() == 0

    assert hub.publish("hub/k01/cmd", b"for k01") == 0
    assert hub.publish("hub/k02/cmd", b"for k02") == 0

    assert k01.wait_for("hub/k01/cmd").payload == b"for k01"
    k02.wait_for("hub/k02/cmd")
    assert all(m.topic != "hub/k01/cmd" for m in k02.messages)
    assert k01.publish("hub/k01/cmd", b"spoof") == NOT_AUTHORIZED


@pytest.mark.parametrize("username,password", [("k01", "wrong"), ("nobody", "x")])
def test_wrong_credentials_are_refused(clients, username: str, password: str) -> None:
    assert clients(username, password).connect() in (NOT_AUTHORIZED, BAD_CREDENTIALS)


def test_page_sized_payload_passes(clients) -> None:
    hub = clients("hub")
    assert hub.connect() == 0
    hub.subscribe("kiosk/k01/#")
    k01 = clients("k01")
    assert k01.connect() == 0
    image = bytes(range(256)) * (3 * 1024 * 1024 // 256)  # 3 MiB, above a ~2 MB page image

    assert k01.publish("kiosk/k01/page", image) == 0

    assert hub.wait_for("kiosk/k01/page").payload == image


def test_queued_messages_survive_broker_restart(tmp_path: Path) -> None:
    b = start_broker(tmp_path / "b", users=USERS)
    try:
        hub = Client(b, "hub", USERS["hub"], client_id="hub-ingest", clean_start=False)
        assert hub.connect() == 0
        hub.subscribe("kiosk/#")
        hub.close()  # the ingester goes away; its session stays and queues

        k01 = Client(b, "k01", USERS["k01"])
        assert k01.connect() == 0
        assert k01.publish("kiosk/k01/doc", b"while hub away") == 0
        k01.close()

        b.restart()  # SIGTERM saves the database; the generated config restores it

        hub = Client(b, "hub", USERS["hub"], client_id="hub-ingest", clean_start=False)
        assert hub.connect() == 0
        assert hub.wait_for("kiosk/k01/doc").payload == b"while hub away"
        hub.close()
    finally:
        b.stop()


@pytest.mark.slow
def test_queued_messages_survive_broker_crash_after_autosave(tmp_path: Path) -> None:
    # Production autosaves every 60 s (default 1800 s); 1 s here to see the crash path quickly.
    b = start_broker(tmp_path / "b", users=USERS, autosave_interval=1)
    try:
        hub = Client(b, "hub", USERS["hub"], client_id="hub-ingest", clean_start=False)
        assert hub.connect() == 0
        hub.subscribe("kiosk/#")
        hub.close()
        k01 = Client(b, "k01", USERS["k01"])
        assert k01.connect() == 0
        assert k01.publish("kiosk/k01/doc", b"before crash") == 0
        k01.close()
        db = b.dir / "data" / "mosquitto.db"
        mtime = db.stat().st_mtime_ns if db.exists() else 0
        deadline = time.monotonic() + TIMEOUT_S
        while (not db.exists() or db.stat().st_mtime_ns == mtime) and time.monotonic() < deadline:
            time.sleep(0.1)  # wait for the next autosave, not a fixed sleep

        b.kill()  # SIGKILL: no save on exit
        b.start()

        hub = Client(b, "hub", USERS["hub"], client_id="hub-ingest", clean_start=False)
        assert hub.connect() == 0
        assert hub.wait_for("kiosk/k01/doc").payload == b"before crash"
        hub.close()
    finally:
        b.stop()


def test_add_user_takes_effect_after_reload(broker: Broker, clients) -> None:
    broker.add_user("k03", "pw-k03")
    c = Client(broker, "k03", "pw-k03")
    try:
        assert c.connect() == 0
        assert c.publish("kiosk/k03/doc", b"x") == NO_MATCHING_SUBSCRIBERS
    finally:
        c.close()


# --- generated files -----------------------------------------------------------------------


def run_cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(PROVISION_PY), *args], capture_output=True, text=True, timeout=30, check=False,
        input=stdin,
    )


def test_broker_conf_has_the_settings_that_keep_messages(tmp_path: Path) -> None:
    assert run_cli("broker", "--dir", str(tmp_path), "--port", "1999").returncode == 0
    lines = set((tmp_path / "mosquitto.conf").read_text().splitlines())
    for expected in [
        "per_listener_settings false",
        "allow_anonymous false",
        f"password_file {tmp_path / 'passwd'}",
        f"acl_file {tmp_path / 'acl'}",
        "listener 1999 127.0.0.1",
        "persistence true",
        f"persistence_location {tmp_path / 'data'}",
        "autosave_interval 60",
        "max_queued_messages 200000",
        "max_packet_size 8388608",
    ]:
        assert expected in lines
    assert "require_certificate true" not in lines
    assert (tmp_path / "data").is_dir()
    acl = (tmp_path / "acl").read_text().splitlines()
    assert "pattern write kiosk/%u/#" in acl and "pattern read hub/%u/#" in acl
    assert acl[-3:] == ["user hub", "topic read kiosk/#", "topic write hub/#"]


def test_broker_tls_listener_is_optional(tmp_path: Path) -> None:
    assert run_cli("broker", "--dir", str(tmp_path), "--tls").returncode == 0
    text = (tmp_path / "mosquitto.conf").read_text()
    assert "listener 8883 127.0.0.1" in text
    assert "require_certificate true" in text and "use_identity_as_username true" in text


def test_broker_provisioning_is_idempotent_and_keeps_users(tmp_path: Path) -> None:
    assert run_cli("broker", "--dir", str(tmp_path)).returncode == 0
    assert run_cli("device", "--dir", str(tmp_path), "--id", "k01", "--out", str(tmp_path / "e.toml")).returncode == 0
    before = (tmp_path / "passwd").read_text()
    assert before.startswith("k01:")

    assert run_cli("broker", "--dir", str(tmp_path)).returncode == 0

    assert (tmp_path / "passwd").read_text() == before


def test_device_provisioning_writes_edge_toml_and_private_password(tmp_path: Path) -> None:
    etc = tmp_path / "etc"
    assert run_cli("broker", "--dir", str(tmp_path / "mq")).returncode == 0

    r = run_cli("device", "--dir", str(tmp_path / "mq"), "--id", "k01", "--out", str(etc / "edge.toml"),
                "--broker-host", "10.0.0.5", "--broker-port", "1884", "--data-dir", "/data/k01")

    assert r.returncode == 0, r.stderr
    cfg = tomllib.loads((etc / "edge.toml").read_text())
    assert cfg["device"] == {"id": "k01", "name": "Kiosk k01", "data_dir": "/data/k01"}
    assert cfg["scanner"] == {"source": "sane", "device": "", "dpi": 300, "mode": "Gray", "adf": True,
                              "hotfolder": "/srv/donthu/scan-in"}
    assert cfg["ocr"] == {"lang": "vie", "workers": 0, "timeout_s": 120}
    assert cfg["mqtt"] == {"host": "10.0.0.5", "port": 1884, "username": "k01",
                           "password_file": str(etc / "k01.password"), "keepalive_s": 5,
                           "metrics_interval_s": 10}
    assert cfg["kiosk"] == {"host": "127.0.0.1", "port": 8081}
    pw_file = etc / "k01.password"
    assert stat.S_IMODE(pw_file.stat().st_mode) == 0o600
    password = pw_file.read_text().strip()
    assert len(password) >= 24
    assert password not in r.stdout  # the generated password is not echoed to the terminal/log
    assert (tmp_path / "mq" / "passwd").read_text().startswith("k01:$7$")


def test_provisioned_device_can_log_in(tmp_path: Path) -> None:
    b = start_broker(tmp_path / "mq")
    try:
        assert provision.provision_device(broker_dir=b.dir, device_id="k07", out=tmp_path / "edge.toml")
        b.add_user("hub", "pw-hub")  # reloads the broker, which also picks up k07
        cfg = tomllib.loads((tmp_path / "edge.toml").read_text())["mqtt"]
        password = Path(cfg["password_file"]).read_text().strip()
        c = Client(b, cfg["username"], password)
        assert c.connect() == 0
        c.close()
    finally:
        b.stop()


def test_hub_provisioning_writes_hub_toml(tmp_path: Path) -> None:
    assert run_cli("broker", "--dir", str(tmp_path / "mq")).returncode == 0

    r = run_cli("hub", "--dir", str(tmp_path / "mq"), "--password-file", "-", "--out", str(tmp_path / "hub.toml"),
                stdin="s3cret\n")

    assert r.returncode == 0, r.stderr
    cfg = tomllib.loads((tmp_path / "hub.toml").read_text())
    assert cfg["hub"] == {"db": "/var/lib/donthu-hub/index.db"}
    assert cfg["mqtt"] == {"host": "127.0.0.1", "port": 1883, "username": "hub",
                           "password_file": str(tmp_path / "hub.password"), "client_id": "hub"}
    assert cfg["panel"] == {"host": "127.0.0.1", "port": 8080,
                            "secret_key_file": str(tmp_path / "hub.secret_key")}
    for secret in ("hub.password", "hub.secret_key"):
        assert stat.S_IMODE((tmp_path / secret).stat().st_mode) == 0o600
    assert (tmp_path / "hub.password").read_text().strip() == "s3cret"
    key = (tmp_path / "hub.secret_key").read_text()
    assert run_cli("hub", "--dir", str(tmp_path / "mq"), "--out", str(tmp_path / "hub.toml")).returncode == 0
    assert (tmp_path / "hub.secret_key").read_text() == key  # re-running keeps operators logged in


@pytest.mark.parametrize("bad_id", ["K01", "k", "-k01", "k 01", "kiosk/1", "k01#", "hub", "a" * 64])
def test_invalid_device_id_is_refused(tmp_path: Path, bad_id: str) -> None:
    provision.write_broker(provision.BrokerSettings(dir=tmp_path))

    r = run_cli("device", "--dir", str(tmp_path), f"--id={bad_id}", "--out", str(tmp_path / "e.toml"))

    assert r.returncode == 2
    assert "device id" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "e.toml").exists()
    assert (tmp_path / "passwd").read_text() == ""


def test_device_before_broker_says_what_to_do(tmp_path: Path) -> None:
    r = run_cli("device", "--dir", str(tmp_path / "nothing"), "--id", "k01", "--out", str(tmp_path / "e.toml"))
    assert r.returncode == 2
    assert "broker_not_provisioned" in r.stderr and "provision.py broker" in r.stderr


def test_mosquitto_passwd_timeout_is_translated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Fault at the adapter seam: a mosquitto_passwd that hangs.
    hang = tmp_path / "mosquitto_passwd"
    hang.write_text("#!/bin/sh\nsleep 30\n")
    hang.chmod(0o755)
    monkeypatch.setattr(provision, "mosquitto_passwd_path", lambda: str(hang))
    (tmp_path / "passwd").write_text("")
    with pytest.raises(provision.ProvisionError) as err:
        provision.set_password(passwd_file=tmp_path / "passwd", username="k01", password="x", timeout_s=0.3)
    assert err.value.code == "mosquitto_passwd_timeout"


def test_the_password_goes_to_mosquitto_passwd_on_stdin_not_on_its_command_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # What any user could read in the process list while it runs: its arguments.
    spy = tmp_path / "mosquitto_passwd"
    spy.write_text(f'#!/bin/sh\necho "$@" > {tmp_path}/argv\ncat > {tmp_path}/stdin\n'
                   f'exec {provision.mosquitto_passwd_path()} "$@" < {tmp_path}/stdin\n')
    spy.chmod(0o755)
    real_file = tmp_path / "passwd"
    real_file.write_text("")
    monkeypatch.setattr(provision, "mosquitto_passwd_path", lambda: str(spy))
    provision.set_password(passwd_file=real_file, username="k01", password="s3cret-Pw")
    assert "s3cret-Pw" not in (tmp_path / "argv").read_text()
    assert (tmp_path / "stdin").read_text() == "s3cret-Pw\ns3cret-Pw\n"
    assert real_file.read_text().startswith("k01:$7$")  # hashed by the real program
    with pytest.raises(provision.ProvisionError) as err:
        provision.set_password(passwd_file=real_file, username="k01", password="two\nlines")
    assert err.value.code == "invalid_password"


def test_every_command_has_help() -> None:
    for command in ([], ["broker"], ["device"], ["hub"]):
        r = run_cli(*command, "--help")
        assert r.returncode == 0 and "usage:" in r.stdout


def test_readme_documents_every_command_and_option() -> None:
    readme = (PROVISION_PY.parent / "README.md").read_text()
    parser = provision.build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command").choices
    for name, sub in subparsers.items():
        assert f"provision.py {name}" in readme
        for action in sub._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag != "--help":
                    assert flag in readme, f"README does not mention {name} {flag}"


def test_password_path_for_copied_files(tmp_path: Path) -> None:
    provision.write_broker(provision.BrokerSettings(dir=tmp_path / "mq"))
    provision.provision_device(broker_dir=tmp_path / "mq", device_id="k07", out=tmp_path / "k07" / "edge.toml",
                               password_path=Path("/etc/donthu/k07.password"))
    cfg = tomllib.loads((tmp_path / "k07" / "edge.toml").read_text())
    assert cfg["mqtt"]["password_file"] == "/etc/donthu/k07.password"
    assert (tmp_path / "k07" / "k07.password").exists()


# -- TLS with per-device certificates, district bridge -----------------------------------------


def _tls_client(broker: Broker, tls_dir: Path, cert_dir: Path, device: str) -> Client:
    c = Client(broker, "", "", client_id=f"tls-{device}")
    c.mqtt._username = None  # identity comes from the certificate
    c.mqtt.tls_set(ca_certs=str(tls_dir / "ca.crt"), certfile=str(cert_dir / f"{device}.crt"),
                   keyfile=str(cert_dir / f"{device}.key"))
    c._broker = Broker(host="127.0.0.1", port=broker.tls_port, dir=broker.dir)  # TLS port
    return c


def test_tls_certificate_cn_is_the_username_and_the_acl_applies(tmp_path: Path) -> None:
    tls = tmp_path / "tls"
    assert run_cli("ca", "--tls-dir", str(tls), "--host", "127.0.0.1").returncode == 0
    r = run_cli("cert", "--tls-dir", str(tls), "--id", "k01", "--out-dir", str(tmp_path / "k01"))
    assert r.returncode == 0, r.stderr
    key = tmp_path / "k01" / "k01.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and stat.S_IMODE((tls / "ca.key").stat().st_mode) == 0o600
    certs = provision._certs()
    assert certs.common_name(tmp_path / "k01" / "k01.crt") == "k01"
    ca_before = (tls / "ca.crt").read_bytes()
    assert run_cli("ca", "--tls-dir", str(tls), "--host", "127.0.0.1").returncode == 0
    assert (tls / "ca.crt").read_bytes() == ca_before  # re-running keeps the fleet CA
    broker = start_broker(tmp_path / "mq", users={"hub": "pw-hub"}, tls_dir=tls)
    try:
        hub = Client(broker, "hub", "pw-hub", client_id="tls-hub")
        assert hub.connect() == 0
        hub.subscribe("kiosk/#")
        kiosk = _tls_client(broker, tls, tmp_path / "k01", "k01")
        try:
            assert kiosk.connect() == 0
            assert kiosk.publish("kiosk/k01/doc", b"{}") < 128
            assert hub.wait_for("kiosk/k01/doc").payload == b"{}"
            assert kiosk.publish("kiosk/k02/doc", b"{}") == NOT_AUTHORIZED
        finally:
            kiosk.close()
            hub.close()
    finally:
        broker.stop()


def test_certificate_from_another_ca_is_refused(tmp_path: Path) -> None:
    tls, rogue = tmp_path / "tls", tmp_path / "rogue"
    assert run_cli("ca", "--tls-dir", str(tls), "--host", "127.0.0.1").returncode == 0
    assert run_cli("ca", "--tls-dir", str(rogue)).returncode == 0
    assert run_cli("cert", "--tls-dir", str(rogue), "--id", "k01", "--out-dir", str(tmp_path / "x")).returncode == 0
    broker = start_broker(tmp_path / "mq", users={"hub": "pw-hub"}, tls_dir=tls)
    try:
        c = _tls_client(broker, tls, tmp_path / "x", "k01")
        with pytest.raises((OSError, AssertionError)):
            c.connect()
        c.mqtt.loop_stop()
    finally:
        broker.stop()


def test_district_bridge_relays_kiosks_to_the_city_and_commands_back(tmp_path: Path) -> None:
    city = start_broker(tmp_path / "city", users={"hub": "pw-hub", "bridge-hoankiem": "pw-bridge"})
    provision.write_broker(provision.BrokerSettings(dir=city.dir, port=city.port,
                                                    run_as_user="root", bridge_districts=("hoankiem",)))
    city.restart()
    district = start_broker(tmp_path / "district", users={"k01": "pw-k01"})
    r = run_cli("bridge", "--dir", str(district.dir), "--district", "hoankiem", "--city-host",
                "127.0.0.1", "--city-port", str(city.port), "--password-file", "-", stdin="pw-bridge\n")
    assert r.returncode == 0, r.stderr
    conf = (district.dir / "conf.d" / "bridge-city.conf").read_text()
    assert "topic kiosk/# out 1" in conf and "topic hub/# in 1" in conf and "cleansession false" in conf
    district.restart()
    try:
        hub = Client(city, "hub", "pw-hub", client_id="city-hub")
        assert hub.connect() == 0
        hub.subscribe("kiosk/#")
        kiosk = Client(district, "k01", "pw-k01", client_id="k01")
        assert kiosk.connect() == 0
        kiosk.subscribe("hub/k01/#")
        deadline = time.monotonic() + 10
        while True:  # the bridge connects in the background
            kiosk.publish("kiosk/k01/metrics", b"ping")
            with hub.got_message:
                if hub.got_message.wait_for(lambda: hub.messages, 0.5):
                    break
            assert time.monotonic() < deadline, "nothing crossed the bridge"
        assert hub.messages[0].topic == "kiosk/k01/metrics"
        assert hub.publish("hub/k01/cmd", b"cmd") < 128
        assert kiosk.wait_for("hub/k01/cmd").payload == b"cmd"
        kiosk.close()
        hub.close()
    finally:
        district.stop()
        city.stop()
