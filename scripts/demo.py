"""Run the whole system on this machine, on an embedded default.

A local Mosquitto with the project's own config (password auth + ACL), the hub ingester and
its panel, and one kiosk appliance (k01). The kiosk's scanner is a hot folder fed with
generated petitions (originals, re-scans, re-sent and edited copies, copies behind a cover
letter, and look-alikes that are other matters) or, with ``--scanner sane``, SANE's test
device. Everything lives under ``var/demo/``; Ctrl-C stops it all.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
sys.path.insert(0, str(ROOT))


def load_provision():  # noqa: ANN201
    spec = importlib.util.spec_from_file_location("provision", ROOT / "firmware_config" / "provision.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["provision"] = module
    spec.loader.exec_module(module)
    return module


def free_port(preferred: int) -> int:
    for port in (preferred, 0):
        with socket.socket() as s:
            # As Mosquitto and the panel bind: a port left in TIME_WAIT by the last run is free.
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise RuntimeError("no free port")


def wait_port(port: int, timeout: float, proc: subprocess.Popen, name: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"{name} exited with {proc.returncode}; see {log}:\n{log.read_text()[-2000:]}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    sys.exit(f"{name} did not open port {port} within {timeout:.0f} s; see {log}")


def panel_admin(hub_cfg: list[str], password_file: Path, env: dict[str, str]) -> str:
    """Create (or reset) the panel's ``admin`` with the password kept in ``password_file``
    (made on first run, readable by root alone); return the password."""
    if not password_file.exists():
        password_file.write_text(secrets.token_urlsafe(9))
        password_file.chmod(0o600)
    password = password_file.read_text().strip()
    # The password on standard input: on a command line it is visible to every user of the
    # machine, and one starting with "-" would be taken for an option.
    subprocess.run([PY, "-m", "hub", *hub_cfg, "user", "admin", "--role", "admin", "--name", "Quản trị viên"], check=True, env=env,
                   cwd=ROOT, stdout=subprocess.DEVNULL, input=password + "\n", text=True)
    return password


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scanner", choices=("hotfolder", "sane"), default="hotfolder",
                    help="kiosk page source (default: hot folder fed with generated petitions)")
    ap.add_argument("--matters", type=int, default=4, help="generated matters (each with its variants)")
    ap.add_argument("--panel-port", type=int, default=8080)
    ap.add_argument("--kiosk-port", type=int, default=8081)
    ap.add_argument("--bind", default="127.0.0.1", help="address of the panel (0.0.0.0 to share)")
    ap.add_argument("--seconds", type=float, default=0, help="stop after this long (0 = until Ctrl-C)")
    ap.add_argument("--fresh", action="store_true", help="delete var/demo first")
    args = ap.parse_args()

    work = ROOT / "var" / "demo"
    if args.fresh and work.exists():
        shutil.rmtree(work)
    logs = work / "logs"
    for d in (logs, work / "broker", work / "etc", work / "scan-in"):
        d.mkdir(parents=True, exist_ok=True)
    provision = load_provision()

    # 1. broker: our generated mosquitto.conf, ACL and password file
    mqtt_port = free_port(1883)
    provision.write_broker(provision.BrokerSettings(
        dir=work / "broker", port=mqtt_port, bind="127.0.0.1",
        run_as_user="root" if os.geteuid() == 0 else "mosquitto", log_dest="stdout"))
    provision.provision_hub(broker_dir=work / "broker", out=work / "etc" / "hub.toml",
                            broker_port=mqtt_port, db=str(work / "hub" / "index.db"),
                            panel_host=args.bind, panel_port=args.panel_port)
    provision.provision_device(broker_dir=work / "broker", device_id="k01",
                               out=work / "etc" / "edge.toml", broker_port=mqtt_port,
                               data_dir=str(work / "edge-k01"))
    env = dict(os.environ, OMP_THREAD_LIMIT="1", NUMBA_CACHE_DIR=str(work / "numba-cache"),
               PYTHONPATH=str(ROOT))
    procs: list[tuple[str, subprocess.Popen, Path]] = []

    def start(name: str, cmd: list[str], extra_env: dict[str, str] | None = None) -> subprocess.Popen:
        log = logs / f"{name}.log"
        p = subprocess.Popen(cmd, stdout=open(log, "ab"), stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, env={**env, **(extra_env or {})}, cwd=ROOT)
        procs.append((name, p, log))
        return p

    def stop_all(*_: object) -> None:
        if not procs:
            return
        for _name, p, _log in reversed(procs):
            if p.poll() is None:
                p.terminate()
        for _name, p, _log in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        procs.clear()
        print("stopped.", flush=True)

    def on_signal(*_: object) -> None:
        stop_all()
        sys.exit(0)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    mosq = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    p = start("mosquitto", [mosq, "-c", str(work / "broker" / "mosquitto.conf")])
    wait_port(mqtt_port, 15, p, "mosquitto", logs / "mosquitto.log")

    # 2. hub: operator account, ingester, panel
    hub_cfg = ["--config", str(work / "etc" / "hub.toml")]
    admin_password = panel_admin(hub_cfg, work / "etc" / "panel-admin.password", env)
    start("hub-ingest", [PY, "-m", "hub", *hub_cfg, "ingest"])
    panel = start("hub-panel", [PY, "-m", "hub", *hub_cfg, "serve"])
    wait_port(args.panel_port, 30, panel, "hub panel", logs / "hub-panel.log")

    # 3. the kiosk appliance (environment overrides on top of its provisioned config)
    kiosk_env = {"DONTHU_EDGE_SCANNER_SOURCE": args.scanner,
                 "DONTHU_EDGE_SCANNER_HOTFOLDER": str(work / "scan-in"),
                 "DONTHU_EDGE_KIOSK_PORT": str(args.kiosk_port),
                 # The clerk's check of each document's fields: the demo sends after 30 s unchecked.
                 "DONTHU_EDGE_KIOSK_REVIEW_TIMEOUT_S": "30"}
    if args.scanner == "sane":
        kiosk_env["DONTHU_EDGE_SCANNER_DPI"] = "150"
    edge = start("edge-k01", [PY, "-m", "edge", "--config", str(work / "etc" / "edge.toml"), "run"],
                 kiosk_env)
    wait_port(args.kiosk_port, 60, edge, "edge agent", logs / "edge-k01.log")

    # The kiosk screen opens only with this boot's token, as the appliance's own display does.
    kiosk_token = (work / "edge-k01" / "kiosk-token").read_text().strip()
    panel_url = f"http://{'127.0.0.1' if args.bind == '0.0.0.0' else args.bind}:{args.panel_port}/"
    print(f"""
=================================================================
 Bảng điều khiển (hub panel):   {panel_url}
   đăng nhập / login:           admin   /   {admin_password}
 Màn hình máy quét (kiosk k01): http://127.0.0.1:{args.kiosk_port}/?token={kiosk_token}
 MQTT broker:                   127.0.0.1:{mqtt_port}  (config {work / 'broker' / 'mosquitto.conf'})
 Logs:                          {logs}/
 Ctrl-C to stop.
=================================================================
""", flush=True)

    # 4. feed the scanner
    try:
        pending = feed(args, work)
    except BaseException:
        stop_all()
        raise
    try:
        watch(procs, pending, work, args.seconds, stop_all)
    finally:
        stop_all()
    return 0


def feed(args: argparse.Namespace, work: Path) -> list[Path]:
    """Documents to drop into the hot folder, or start a SANE scan through the kiosk page."""
    pending: list[Path] = []
    if args.scanner == "hotfolder":
        from samplegen import generate_corpus

        corpus = work / "corpus"
        print("generating petitions …", flush=True)
        manifest = generate_corpus(corpus, matters=args.matters, seed=int(time.time()) % 10_000)
        pending = [corpus / d.name for d in manifest.documents]
        print(f"{len(pending)} documents generated; feeding the hot folder one by one", flush=True)
    else:
        from edge.kiosk.security import COOKIE, CSRF_HEADER, csrf_value, session_value

        token = (work / "edge-k01" / "kiosk-token").read_text().strip()
        req = urllib.request.Request(f"http://127.0.0.1:{args.kiosk_port}/scan", method="POST",
                                     headers={CSRF_HEADER: csrf_value(token),
                                              "Cookie": f"{COOKIE}={session_value(token)}"})
        urllib.request.urlopen(req, timeout=10).read()
        print("scan started on SANE's test device (10 pages)", flush=True)
    return pending


def watch(procs, pending, work: Path, seconds: float, stop_all) -> None:  # noqa: ANN001
    """Feed the hot folder, report progress, stop when a part dies or time is up."""
    import sqlite3

    started = time.monotonic()
    last_report = 0.0
    while True:
        for name, p, log in procs:
            if p.poll() is not None:
                print(f"{name} stopped unexpectedly (exit {p.returncode}); see {log}", flush=True)
                return
        if pending:
            src = pending.pop(0)
            tmp = work / "scan-in" / f".{src.name}.part"
            shutil.copytree(src, tmp)
            tmp.rename(work / "scan-in" / src.name)  # appear at once, like a finished upload
        now = time.monotonic()
        if now - last_report > 15:
            last_report = now
            try:
                con = sqlite3.connect(work / "hub" / "index.db", timeout=5)
                docs = con.execute("select count(*) from documents").fetchone()[0]
                pending_pairs, decided = con.execute(
                    "select count(*) filter (where decision = 'proposed'), "
                    "count(*) filter (where decision != 'proposed') from duplicate_pairs").fetchone()
                con.close()
                print(f"[{time.strftime('%H:%M:%S')}] hub index: {docs} documents, "
                      f"{pending_pairs} duplicate pairs awaiting review, {decided} decided", flush=True)
            except sqlite3.Error:
                pass
        if seconds and now - started > seconds:
            return
        time.sleep(4 if pending else 1)


if __name__ == "__main__":
    sys.exit(main())
