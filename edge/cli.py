"""Command line of the appliance: ``python -m edge {process,run,doctor,support-bundle,enroll,update-guard}``.

Only parses arguments, calls the library and maps errors to exit codes.
"""
from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
import time
from pathlib import Path

from edge import memory
from edge.config import load_config
from edge.exceptions import CodedError, EdgeError

log = logging.getLogger("edge")


def _cmd_process(args: argparse.Namespace) -> int:
    # Not edge.agent: processing files needs neither the spool nor the uplink.
    from edge import ocr
    from edge.batch import process_batch
    from edge.pipeline import PageFailed, page_summary, pipeline_context, warm_up

    cfg = load_config(args.config)
    ctx = pipeline_context(cfg)
    workers = args.workers or cfg.ocr_workers
    # Tesseract loads its model and the imaging kernels load while page 1 is read and decoded.
    threading.Thread(target=ocr.prestart, args=(ctx.lang, workers), daemon=True).start()
    threading.Thread(target=warm_up, args=(ctx,), daemon=True).start()

    def summary(path: str, res: object) -> dict:
        if isinstance(res, OSError):
            return {"source": path, "error": "file_unreadable", "detail": res.strerror,
                    "message_vi": "Không đọc được tệp ảnh."}
        if isinstance(res, PageFailed):
            return {"source": path, "error": res.code, "detail": res.detail,
                    "message_vi": res.message_vi, "timings_ms": res.timings_ms}
        return {"source": path, **page_summary(res)}

    failed = 0
    start = time.perf_counter()
    pages = process_batch(args.images, lambda path: Path(path).read_bytes(), ctx=ctx, workers=workers)
    for path, res in pages:
        out = summary(path, res)
        del res
        failed += "error" in out
        if args.json:
            print(json.dumps(out, ensure_ascii=False), flush=True)
        elif "error" in out:
            print(f"{out['source']}: ERROR {out['error']}: {out['detail']}", file=sys.stderr)
        else:
            print(f"== {out['source']} (skew {out['skew_degrees']:+.2f}°, "
                  f"OCR {out['ocr_confidence']:.0f}%, {out['timings_ms']['total']:.0f} ms)")
            print(out["text"])
    elapsed = time.perf_counter() - start
    if not args.json:
        n = len(args.images)
        print(f"{n} page(s) in {elapsed:.1f} s ({60 * n / max(elapsed, 1e-9):.1f} pages/min), "
              f"{failed} failed", file=sys.stderr)
    return 2 if failed and failed == len(args.images) else (1 if failed else 0)


def _cmd_run(args: argparse.Namespace) -> int:
    from edge.agent import Agent
    from edge.kiosk import serve_in_thread
    from edge.supervise import run_main_loop

    cfg = load_config(args.config)
    agent = Agent(cfg)
    agent.start()
    server = serve_in_thread(agent) if cfg.kiosk.enabled else None
    if server is not None:
        log.info("kiosk screen on http://%s:%d/", cfg.kiosk.host, server.port)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    log.info("edge agent %s running (source: %s)", cfg.device.id, cfg.scanner.source)
    # READY=1, then the watchdog pings while every thread is well (edge/supervise.py).
    code = run_main_loop(stop, agent.supervisor, agent.health_check)
    log.info("stopping")
    if server is not None:
        server.shutdown()
    agent.stop()
    return code


def _cmd_doctor(args: argparse.Namespace) -> int:
    from edge.diagnostics import FAIL, checks

    results = checks(load_config(args.config), broker=not args.offline)
    if args.json:
        print(json.dumps([c.__dict__ for c in results], ensure_ascii=False))
    else:
        for c in results:
            hint = f"  ({c.hint_vi})" if c.hint_vi else ""
            print(f"{ {'ok': 'OK ', 'warn': 'WARN'}.get(c.level, 'FAIL')} {c.name}: {c.detail}{hint}")
    return 1 if any(c.level == FAIL for c in results) else 0


def _cmd_support_bundle(args: argparse.Namespace) -> int:
    from edge.diagnostics import support_bundle

    cfg = load_config(args.config)
    out = args.out or Path(f"donthu-support-{cfg.device.id}-{time.strftime('%Y%m%d-%H%M%S')}.tar.gz")
    print(support_bundle(cfg, out, broker=not args.offline))
    return 0


def _cmd_enroll(args: argparse.Namespace) -> int:
    import getpass
    import shutil
    import subprocess

    from edge import enrollment

    # The one-time code is a secret: read at a prompt or from standard input, never argv.
    text = getpass.getpass("Mã đăng ký (enrollment code): ") if sys.stdin.isatty() else sys.stdin.readline()
    try:
        code = enrollment.parse_code(text)
        if args.id and args.id != code.device_id:
            raise enrollment.EnrollError(
                f"the code is for device {code.device_id!r}, not {args.id!r}", code="wrong_device",
                message_vi=f"Mã này dành cho thiết bị {code.device_id}, không phải {args.id}.")
        bundle = enrollment.request_credentials(code, hub_url=args.hub or "")
    except enrollment.EnrollError as e:
        print(f"error: {e}\n{e.message_vi}", file=sys.stderr)
        return e.exit_code
    path = enrollment.write_config(bundle, config_dir=args.config_dir, data_dir=args.data_dir,
                                   owner=args.owner)
    print(f"enrolled {code.device_id}: {path} written")
    if args.no_start:
        return 0
    systemctl = shutil.which("systemctl")
    if systemctl and Path("/run/systemd/system").is_dir():
        done = subprocess.run([systemctl, "enable", "--now", "donthu-edge"], timeout=60, check=False)
        return 0 if done.returncode == 0 else 1
    print("systemd is not running here: start the appliance with "
          f"`python -m edge --config {path} run`")
    return 0


def _cmd_update_guard(args: argparse.Namespace) -> int:
    from edge import update

    cfg = load_config(args.config)
    state = update.guard(cfg.update_root, max_attempts=cfg.update.max_attempts)
    if state is not None:
        print(state.summary())
    return 0  # never stop the service from starting: rolling back is the point


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m edge``."""
    p = argparse.ArgumentParser(prog="python -m edge", description="Petition kiosk appliance.")
    p.add_argument("--config", type=Path, help="appliance TOML config (default: built-in defaults "
                   "plus DONTHU_EDGE_* environment overrides)")
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = p.add_subparsers(dest="command", required=True)
    pr = sub.add_parser("process", help="run the page pipeline on image files",
                        description="Deskew and OCR image files; one result per page, in order.")
    pr.add_argument("images", nargs="+", metavar="IMAGE")
    pr.add_argument("--json", action="store_true", help="one JSON object per page per line")
    pr.add_argument("--workers", type=int, default=0, help="pages read by Tesseract at once (default: one per core)")
    pr.set_defaults(func=_cmd_process)
    ru = sub.add_parser("run", help="run the appliance (scanner or hot folder, pipeline, uplink, kiosk screen)")
    ru.set_defaults(func=_cmd_run)
    do = sub.add_parser("doctor", help="check what a technician checks on site: tesseract, scanner and "
                        "feeder (or hot folder), broker login, certificates, clock, disk")
    do.add_argument("--json", action="store_true", help="one JSON list of checks")
    do.add_argument("--offline", action="store_true", help="skip the broker login")
    do.set_defaults(func=_cmd_doctor)
    sb = sub.add_parser("support-bundle", help="write a .tar.gz of checks, software, settings and logs "
                        "for support (no petition text, no images, no secrets)")
    sb.add_argument("--out", type=Path, help="file to write (default: donthu-support-<id>-<time>.tar.gz)")
    sb.add_argument("--offline", action="store_true", help="skip the broker login")
    sb.set_defaults(func=_cmd_support_bundle)
    en = sub.add_parser("enroll", help="enroll this appliance with a one-time code from the hub "
                        "(read at a prompt or from standard input), write its config and start it")
    en.add_argument("--hub", help="the hub's address (default: the one in the code), e.g. http://10.20.0.1:8080")
    en.add_argument("--id", help="refuse a code made for another device id")
    en.add_argument("--config-dir", type=Path, default=Path("/etc/donthu"), help="where edge.toml goes")
    en.add_argument("--data-dir", type=Path, default=Path("/var/lib/donthu-edge"), help="[device] data_dir")
    en.add_argument("--owner", default="donthu-edge", help="service user owning the secrets")
    en.add_argument("--no-start", action="store_true", help="do not enable and start donthu-edge")
    en.set_defaults(func=_cmd_enroll)
    ug = sub.add_parser("update-guard", help="before each start (the unit's ExecStartPre): go back to the "
                        "previous release when a new one did not prove healthy in time")
    ug.set_defaults(func=_cmd_update_guard)
    return p


def run_cli(parser: argparse.ArgumentParser, argv: list[str] | None,
            errors: type[CodedError] = EdgeError) -> int:
    """Parse ``argv``, set up logging, run the chosen command; an expected error becomes its
    one-line message and exit code (shared by the appliance's and the hub's command lines)."""
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    try:
        return args.func(args)
    except errors as e:
        print(f"error: {e}", file=sys.stderr)
        return e.exit_code


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    memory.share_arenas()  # before any thread starts
    return run_cli(build_parser(), argv)
