"""Load benchmark: 100 simulated kiosks → one Mosquitto → one hub ingester, on this machine.

    python -m tests.bench.bench_load            # 100 kiosks, 60 s of offered load
    python -m tests.bench.bench_load --quick    # 20 kiosks, 15 s
    python -m tests.bench.bench_load --kiosks 100 --rate 400 --seconds 60 --image-kb 40

Each kiosk is a light publisher process (paho, MQTT 5, QoS 1) sending pre-built documents
(one page image + the document message, built in the parent with the real fingerprint) at
an even pace, and timing each document from its publish to the hub's verdict — which the
ingester publishes only after the document is committed to the index. The hub is the real
``python -m hub ingest`` process with the project's broker config. About 10% of the
documents are re-sent copies of others (so duplicate matching has work to do).

Printed: offered and sustained documents/s indexed, publish-to-indexed latency p50/p95/max,
lost and duplicated documents, and, in the same run, the broker alone (a ``mosquitto_sub``
subscriber counting the same kind of traffic) as the reference ceiling.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))



# -- kiosk process -----------------------------------------------------------------------------
def kiosk_main(spec_file: str, start_at: float) -> None:
    """One simulated kiosk: publish its documents at its pace, time each one to its verdict.

    One thread drives the client (``loop()`` while waiting for the next document is due), as
    light as a publisher gets in Python: the kiosks share this machine with the hub.
    """
    import paho.mqtt.client as mqtt

    spec = pickle.loads(Path(spec_file).read_bytes())
    device, docs, interval = spec["device"], spec["docs"], spec["interval_s"]
    sent: dict[str, float] = {}
    latencies: list[float] = []
    published: list[float] = []  # when each of ``latencies`` was published
    last_verdict = [0.0]
    acked = [0]
    connected = [False]

    def on_connect(c, u, f, rc, p):  # noqa: ANN001
        c.subscribe(f"hub/{device}/verdict", qos=1)
        connected[0] = True

    def on_message(c, u, msg):  # noqa: ANN001
        now = time.time()
        t0 = sent.get(json.loads(msg.payload)["doc_id"])
        if t0 is not None:
            latencies.append(now - t0)
            published.append(t0)
            last_verdict[0] = now

    def on_publish(c, u, mid, rc, p):  # noqa: ANN001
        acked[0] += 1

    def wait_until(t: float) -> None:
        while (left := t - time.time()) > 0:
            c.loop(timeout=min(left, 1.0))

    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=device, protocol=mqtt.MQTTv5)
    c.username_pw_set(device, spec["password"])
    c.max_inflight_messages_set(20)
    c.max_queued_messages_set(0)
    c.on_connect, c.on_message, c.on_publish = on_connect, on_message, on_publish
    c.connect("127.0.0.1", spec["port"], keepalive=30)
    give_up = time.time() + 30
    while not connected[0] and time.time() < give_up:
        c.loop(timeout=0.1)
    wait_until(start_at)
    start = time.time()
    for i, (doc_id, messages) in enumerate(docs):
        wait_until(start + i * interval)
        for name, payload in messages[:-1]:
            c.publish(name, payload, qos=1)
        sent[doc_id] = time.time()
        c.publish(messages[-1][0], messages[-1][1], qos=1)
    deadline = time.time() + spec["drain_s"]
    while time.time() < deadline and len(latencies) < spec["expect_verdicts"]:
        c.loop(timeout=0.1)
    c.disconnect()
    print(json.dumps({"device": device, "sent": len(docs), "acked": acked[0],
                      "latencies": latencies, "published": published, "published_from": start,
                      "last_verdict": last_verdict[0]}))


# -- parent --------------------------------------------------------------------------------------
def build_documents(device: str, count: int, image_kb: int, rng: random.Random,
                    pool: list) -> list[tuple[str, list[tuple[str, bytes]]]]:
    """Pre-built wire messages of ``count`` one-page documents for ``device`` (samplegen texts)."""
    from edge.fingerprint import fingerprint
    from edge.fingerprint.identity import identity_keys
    from edge.wire import DocumentMessage, PageImageMessage, PageInfo, new_id, now_iso, topic
    from samplegen.petition import make_petition
    from samplegen.variants import resend

    out = []
    for _ in range(count):
        if pool and rng.random() < 0.10:  # the same letter sent again
            text = resend(rng.choice(pool), rng).text
        else:
            petition = make_petition(rng)
            pool.append(petition)
            text = petition.text
        doc_id, page_id = new_id(), new_id()
        image = rng.randbytes(image_kb * 1024)
        sha = hashlib.sha256(image).hexdigest()
        page = PageImageMessage(msg_id=new_id(), device_id=device, sent_at=now_iso(), doc_id=doc_id,
                                page_id=page_id, index=0, mime="image/jpeg", width=1240,
                                height=1754, dpi=150, image_sha256=sha, image=image)
        doc = DocumentMessage(msg_id=new_id(), device_id=device, sent_at=now_iso(), doc_id=doc_id,
                              batch_id=new_id(), scanned_at=now_iso(), page_count=1,
                              pages=(PageInfo(page_id, 0, sha, 0.0, 90.0, text),),
                              fingerprint=fingerprint(text), identity_keys=identity_keys(text),
                              meta={"source": "bench"})
        out.append((doc_id, [(topic(device, "page"), page.to_json()),
                             (topic(device, "doc"), doc.to_json())]))
    return out


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100), nearest rank."""
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q / 100 * len(s)) - 1))]


def timeline(results: list[dict], first: float, step: float = 5.0) -> str:
    """Latency by publish time, ``step`` seconds at a time: where a stall or a backlog built up."""
    points = sorted((t - first, lat) for r in results for t, lat in zip(r["published"], r["latencies"], strict=True))
    lines = [f"{'published at':<14}{'docs':>6}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}"]
    lo = 0.0
    while points and lo <= points[-1][0]:
        window = [lat for t, lat in points if lo <= t < lo + step]
        if window:
            lines.append(f"{f'{lo:.0f}-{lo + step:.0f} s':<14}{len(window):>6}{percentile(window, 50) * 1e3:>9.0f}"
                         f"{percentile(window, 95) * 1e3:>9.0f}{max(window) * 1e3:>9.0f}")
        lo += step
    return "\n".join(lines)


def broker_only(broker, users: dict[str, str], messages: list[tuple[str, bytes]],
                seconds: float) -> float:
    """Reference: messages/s one mosquitto_sub receives when one publisher sends flat out."""
    import paho.mqtt.client as mqtt

    sub = subprocess.Popen(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(broker.port), "-u", "hub",
                            "-P", users["hub"], "-t", "kiosk/+/doc", "-q", "1", "-V", "mqttv5",
                            "-F", "%t"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    device = next(u for u in users if u != "hub")
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"{device}-ref", protocol=mqtt.MQTTv5)
    c.username_pw_set(device, users[device])
    c.max_inflight_messages_set(100)
    acked = [0]
    c.on_publish = lambda *a: acked.__setitem__(0, acked[0] + 1)
    c.connect("127.0.0.1", broker.port)
    c.loop_start()
    docs = [m for m in messages if m[0].endswith("/doc")]
    start = time.time()
    n = 0
    while time.time() - start < seconds:
        if n - acked[0] < 500:  # keep the pipe full, not the client's memory
            c.publish(docs[n % len(docs)][0], docs[n % len(docs)][1], qos=1)
            n += 1
        else:
            time.sleep(0.001)
    elapsed = time.time() - start
    c.disconnect()
    c.loop_stop()
    time.sleep(1.0)
    sub.terminate()
    got = sub.communicate(timeout=10)[0].count(b"\n")
    return got / elapsed


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kiosks", type=int, default=100)
    ap.add_argument("--rate", type=float, default=400.0, help="offered documents/s, whole fleet")
    ap.add_argument("--seconds", type=float, default=60.0, help="how long the fleet publishes")
    ap.add_argument("--image-kb", type=int, default=40, help="page image size")
    ap.add_argument("--quick", action="store_true", help="20 kiosks, 15 s")
    ap.add_argument("--kiosk", help=argparse.SUPPRESS)  # child mode
    ap.add_argument("--start-at", type=float, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.kiosk:
        kiosk_main(args.kiosk, args.start_at)
        return 0
    if args.quick:
        args.kiosks, args.seconds = 20, 15.0

    from tests.broker import start_broker

    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    devices = [f"bench{i:03d}" for i in range(args.kiosks)]
    users = {d: f"pw-{d}" for d in devices} | {"hub": "pw-hub"}
    print(f"provisioning a broker with {len(users)} users in {work} ...", flush=True)
    broker = start_broker(work / "broker", users=users)
    per_kiosk = max(1, round(args.rate * args.seconds / args.kiosks))
    interval = args.seconds / per_kiosk
    rng = random.Random(6)
    pool: list = []
    print(f"building {per_kiosk * args.kiosks} documents ...", flush=True)
    specs = []
    all_messages: list[tuple[str, bytes]] = []
    for d in devices:
        docs = build_documents(d, per_kiosk, args.image_kb, rng, pool)
        all_messages.extend(docs[0][1])
        spec = work / f"{d}.pickle"
        spec.write_bytes(pickle.dumps({"device": d, "password": users[d], "port": broker.port,
                                       "docs": docs, "interval_s": interval,
                                       "drain_s": 240.0, "expect_verdicts": per_kiosk}))
        specs.append(spec)
    hub_toml = work / "hub.toml"
    db = work / "index.db"
    hub_toml.write_text(f'[hub]\ndb = "{db}"\n[mqtt]\nhost = "127.0.0.1"\nport = {broker.port}\n'
                        f'username = "hub"\npassword = "pw-hub"\nclient_id = "hub-bench"\n')
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    hub = subprocess.Popen([sys.executable, "-m", "hub", "--config", str(hub_toml), "ingest"],
                           cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=open(work / "hub.log", "wb"))
    kiosks = []
    try:
        time.sleep(3)
        print(f"starting {args.kiosks} kiosk processes, {per_kiosk} documents each, "
              f"{args.rate:.0f} docs/s offered for {args.seconds:.0f} s ...", flush=True)
        # Every kiosk starts at one moment, once all are up: starting a hundred Python
        # processes takes seconds of CPU, which must not overlap the measured load.
        # Kiosks are not in step: each starts a fraction of its interval after the one before.
        start_at = time.time() + 10 + args.kiosks * 0.15
        for k, spec in enumerate(specs):
            at = start_at + k * interval / args.kiosks
            kiosks.append(subprocess.Popen([sys.executable, "-m", "tests.bench.bench_load",
                                            "--kiosk", str(spec), "--start-at", str(at)], cwd=REPO, env=env,
                                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL))
        results = []
        for k in kiosks:
            out, _ = k.communicate(timeout=args.seconds + 400 + args.kiosks * 0.2)
            results.append(json.loads(out.decode().strip().splitlines()[-1]))
        # Let the ingester finish what the broker still holds for it: stop waiting only when
        # everything is in, or nothing moved for 30 s (then the rest counts as lost).
        expected = per_kiosk * args.kiosks
        last, still_since = -1, time.time()
        while True:
            with sqlite3.connect(db, timeout=30) as c:
                have = c.execute("select count(*) from documents").fetchone()[0]
            if have >= expected or time.time() - still_since > 30:
                break
            if have != last:
                last, still_since = have, time.time()
            time.sleep(1.0)
    finally:
        for k in kiosks:
            if k.poll() is None:
                k.kill()
        hub.terminate()
        hub.wait(timeout=30)
        for spec in specs:  # the pre-built documents (hundreds of MB at full size)
            spec.unlink(missing_ok=True)

    with sqlite3.connect(db, timeout=30) as c:
        rows = c.execute("select received_at from documents where source = 'kiosk'").fetchall()
        indexed = len(rows)
        complete = c.execute("select count(*) from documents where complete_at is not null").fetchone()[0]
        dup = c.execute("select count(*) - count(distinct batch_id) from documents").fetchone()[0]
        proposed = c.execute("select count(*) from duplicate_pairs").fetchone()[0]
    lat = [x for r in results for x in r["latencies"]]
    sent = sum(r["sent"] for r in results)
    first = min(r["published_from"] for r in results)
    # Sustained rate: documents indexed (verdict received) over first publish → last verdict.
    last = max(r["last_verdict"] for r in results)
    verdict_rate = len(lat) / max(last - first, 1e-9)
    print("measuring the broker alone (reference) ...", flush=True)
    ref = broker_only(broker, users, all_messages, min(10.0, args.seconds))
    broker.stop()

    print()
    print(f"{'load benchmark':<44}{'value':>14}")
    print("-" * 58)
    table = [
        ("kiosks (publisher processes)", f"{args.kiosks}"),
        ("page image size", f"{args.image_kb} KB"),
        ("documents offered", f"{sent}"),
        ("offered rate", f"{sent / args.seconds:.0f} docs/s"),
        ("documents indexed", f"{indexed}"),
        ("  complete (all pages, hash verified)", f"{complete}"),
        ("sustained indexed rate (verdicts / span)", f"{verdict_rate:.0f} docs/s"),
        ("publish→indexed latency p50", f"{percentile(lat, 50) * 1000:.0f} ms"),
        ("publish→indexed latency p95", f"{percentile(lat, 95) * 1000:.0f} ms"),
        ("publish→indexed latency max", f"{percentile(lat, 100) * 1000:.0f} ms"),
        ("lost documents", f"{sent - indexed}"),
        ("duplicated documents", f"{dup}"),
        ("duplicate pairs proposed (≈10% re-sent)", f"{proposed}"),
        ("reference: broker alone, doc msgs/s", f"{ref:.0f} msg/s"),
    ]
    for name, value in table:
        print(f"{name:<44}{value:>14}")
    print()
    print(timeline(results, first))
    print(f"\nwork dir (index, broker log, hub log): {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
