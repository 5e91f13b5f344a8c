"""Panel serving benchmark: waitress (``hub serve``) against gunicorn, and sign-in guessing.

    python -m tests.bench.bench_panel_server                 # 20 s per server, 8 clients
    python -m tests.bench.bench_panel_server --seconds 10 --clients 4
    python -m tests.bench.bench_panel_server --guess-only --before DIR   # DIR: an older tree of the
                                                                  # project, for its guess rate

Both servers serve the same app over the same index (300 documents) on loopback; the clients
are threads of this process, each signed in with its own session, fetching ``/documents`` (a
page of 50 rows: the panel's usual work: session check, SQLite query, template) in a loop.
Printed: requests/s, latency p50/p95, and for the guessing part: sign-in attempts/s an
attacker gets and how many of them had their password checked.
"""
from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from tests.broker import free_port

PASSWORD = "mat-khau-dung-1"


def _seed(db_path: Path) -> None:
    from edge.fingerprint.normalize import fold
    from hub.index import open_index
    from hub.panel.users import create_user

    db = open_index(db_path)
    text = "Đơn khiếu nại về việc cấp giấy chứng nhận quyền sử dụng đất số {}"
    db["documents"].insert_all([
        {"doc_id": f"doc-{i:04d}", "source": "import", "received_at": f"2026-11-{1 + i % 28:02d}",
         "page_count": 1, "text": text.format(i), "text_fold": fold(text.format(i))}
        for i in range(300)])
    for i in range(16):
        create_user(db, f"canbo{i}", PASSWORD)
    db.conn.close()


def _wait(base: str, proc: subprocess.Popen, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            urllib.request.urlopen(f"{base}/login", timeout=2).read()
            return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"server did not start (exit {proc.poll()})") from None
            time.sleep(0.2)


def _signed_in(base: str, user: str) -> urllib.request.OpenerDirector:
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    html = browser.open(f"{base}/login", timeout=10).read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    browser.open(f"{base}/login", data=urllib.parse.urlencode(
        {"username": user, "password": PASSWORD, "csrf_token": token}).encode(), timeout=10).read()
    return browser


def _load(base: str, clients: int, seconds: float) -> tuple[float, float, float, int]:
    browsers = [_signed_in(base, f"canbo{i % 16}") for i in range(clients)]
    latencies: list[float] = []
    errors = [0]
    stop = time.monotonic() + seconds
    lock = threading.Lock()

    def run(browser: urllib.request.OpenerDirector) -> None:
        mine = []
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            try:
                r = browser.open(f"{base}/documents", timeout=30)
                ok = r.status == 200 and b"doc-0" in r.read()
            except OSError:
                ok = False
            mine.append(time.perf_counter() - t0)
            if not ok:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=run, args=(b,)) for b in browsers]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    q = statistics.quantiles(latencies, n=20)
    return len(latencies) / elapsed, q[9] * 1000, q[18] * 1000, errors[0]


def _guess(base: str, seconds: float, clients: int = 4) -> tuple[float, int, int]:
    """Wrong passwords for one account as fast as ``clients`` connections go."""
    counts = {"checked": 0, "refused": 0}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def run() -> None:
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        html = browser.open(f"{base}/login", timeout=10).read().decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        n = 0
        while time.monotonic() < stop:
            n += 1
            data = urllib.parse.urlencode({"username": "canbo0", "password": f"doan-sai-{n}",
                                           "csrf_token": token}).encode()
            try:
                browser.open(f"{base}/login", data=data, timeout=30).read()
                key = "checked"
            except urllib.error.HTTPError as e:
                key = "checked" if e.code == 401 else "refused"
            with lock:
                counts[key] += 1

    threads = [threading.Thread(target=run) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return (counts["checked"] + counts["refused"]) / seconds, counts["checked"], counts["refused"]


def _start(cmd: list[str], env: dict[str, str], base: str) -> subprocess.Popen:
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait(base, proc)
    return proc


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--guess-only", action="store_true")
    ap.add_argument("--before", type=Path, help="an older tree of the project: measure its guess rate too")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-panel-"))
    db_path = work / "index.db"
    _seed(db_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DONTHU_HUB_HUB_DB": str(db_path), "DONTHU_HUB_PANEL_PORT": str(port),
           "OMP_THREAD_LIMIT": "1"}
    py = sys.executable
    servers = {
        "waitress (hub serve, 4 threads)": [py, "-m", "hub", "serve"],
        "gunicorn gthread 2 workers x 2 threads": [
            py, "-m", "gunicorn", "-k", "gthread", "-w", "2", "--threads", "2", "-b", f"127.0.0.1:{port}",
            f"hub.panel:create_app({{'DATABASE': {str(db_path)!r}, 'SECRET_KEY': 'bench'}})"],
        "gunicorn sync 2 workers": [
            py, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}",
            f"hub.panel:create_app({{'DATABASE': {str(db_path)!r}, 'SECRET_KEY': 'bench'}})"],
    }
    if not args.guess_only:
        print(f"{'server':42} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'errors':>6}")
        for name, cmd in servers.items():
            proc = _start(cmd, env, base)
            try:
                rate, p50, p95, errors = _load(base, args.clients, args.seconds)
            finally:
                proc.terminate()
                proc.wait(timeout=30)
            print(f"{name:42} {rate:7.1f} {p50:7.1f} {p95:7.1f} {errors:6d}", flush=True)
    guess_s = min(args.seconds, 10.0)
    print(f"\nsign-in guessing, one account, 4 connections, {guess_s:.0f} s:")
    print(f"{'panel':42} {'tries/s':>7} {'checked':>7} {'refused':>7}")
    runs = []
    if args.before:
        before_db = work / "before.db"
        code = ("import sys; from hub.index import open_index; from hub.panel.users import create_user; "
                "create_user(open_index(sys.argv[1]), 'canbo0', sys.argv[2])")
        subprocess.run([py, "-c", code, str(before_db), PASSWORD], check=True,
                       env={**env, "PYTHONPATH": str(args.before)}, cwd=args.before)
        runs.append(("before (werkzeug dev server, no throttle)", [py, "-m", "hub", "serve"],
                     {**env, "PYTHONPATH": str(args.before), "DONTHU_HUB_HUB_DB": str(before_db)},
                     args.before))
    runs.append(("now (waitress, throttled)", [py, "-m", "hub", "serve"], env, None))
    for name, cmd, run_env, cwd in runs:
        proc = subprocess.Popen(cmd, env=run_env, cwd=cwd, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        _wait(base, proc)
        try:
            rate, checked, refused = _guess(base, guess_s)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        print(f"{name:42} {rate:7.1f} {checked:7d} {refused:7d}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
