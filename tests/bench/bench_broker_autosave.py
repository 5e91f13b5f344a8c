"""What Mosquitto's ``autosave_on_changes`` costs while the hub is away and the broker queues.

The broker's PUBACK means "in Mosquitto's memory"; a save to its persistence file is what
survives a broker crash. ``autosave_interval 60`` (our config) saves once a minute;
``autosave_on_changes true`` saves after every N changes instead — and every save writes
the whole in-memory store, queued page images included. Here one kiosk publishes page-sized
messages (QoS 1) to an absent persistent hub session, and the table gives, per setting, the
publish rate the kiosk sees, the broker's CPU time, and the messages a SIGKILL at the end
would have lost (queued but not in the last save: what restarting it shows).

    python -m tests.bench.bench_broker_autosave [--messages 300] [--kib 200]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import paho.mqtt.client as mqtt

from tests.broker import start_broker
from tests.conftest import PASSWORDS

SETTINGS = [("autosave_interval 60 (ours)", 60, False), ("on_changes, every 100", 100, True),
            ("on_changes, every 10", 10, True), ("on_changes, every 1", 1, True)]


def _client(port: int, user: str, *, client_id: str, clean: bool = True) -> mqtt.Client:
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    c.username_pw_set(user, PASSWORDS[user])
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = 3600
    c.connect("127.0.0.1", port, keepalive=30, clean_start=clean, properties=props)
    return c


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(label: str, interval: int, on_changes: bool, *, messages: int, kib: int) -> str:
    root = Path(tempfile.mkdtemp(prefix="donthu-autosave-"))
    broker = start_broker(root, users=dict(PASSWORDS), autosave_interval=interval)
    if on_changes:
        (root / "conf.d" / "autosave.conf").write_text("autosave_on_changes true\n")
        broker.restart()
    try:
        hub = _client(broker.port, "hub", client_id="hub-bench", clean=False)  # a session that waits
        hub.loop_start()
        hub.subscribe("kiosk/+/page", qos=1)
        time.sleep(0.5)
        hub.disconnect()
        hub.loop_stop()
        kiosk = _client(broker.port, "k01", client_id="k01-bench")
        done = threading.Semaphore(0)
        kiosk.on_publish = lambda *a: done.release()
        kiosk.loop_start()
        payload = os.urandom(kib * 1024)
        cpu0, t0 = _cpu_s(broker._proc.pid), time.perf_counter()
        for _ in range(messages):
            kiosk.publish("kiosk/k01/page", payload, qos=1)
        for _ in range(messages):
            done.acquire(timeout=120)
        took, cpu = time.perf_counter() - t0, _cpu_s(broker._proc.pid) - cpu0
        kiosk.disconnect()
        kiosk.loop_stop()
        broker.kill()  # a crash: only the last save survives
        broker.start()
        got = threading.Semaphore(0)
        count = [0]
        hub = _client(broker.port, "hub", client_id="hub-bench", clean=False)

        def on_message(*_a) -> None:  # noqa: ANN002
            count[0] += 1
            got.release()

        hub.on_message = on_message
        hub.loop_start()
        while got.acquire(timeout=3):
            pass
        hub.disconnect()
        hub.loop_stop()
        return (f"| {label} | {messages / took:,.0f} | {cpu:.2f} | {messages - count[0]} of "
                f"{messages} |")
    finally:
        broker.stop()


def main(argv: list[str] | None = None) -> int:
    """Print the table."""
    p = argparse.ArgumentParser(prog="python -m tests.bench.bench_broker_autosave",
                                description=__doc__.split("\n")[0])
    p.add_argument("--messages", type=int, default=300)
    p.add_argument("--kib", type=int, default=200, help="payload size (a page image is 100-300 KiB)")
    args = p.parse_args(argv)
    print(f"{args.messages} messages of {args.kib} KiB queued for an absent hub\n")
    print("| setting | publishes/s | broker CPU s | lost by a SIGKILL at the end |")
    print("|---|---:|---:|---:|")
    for label, interval, on_changes in SETTINGS:
        print(run(label, interval, on_changes, messages=args.messages, kib=args.kib), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
