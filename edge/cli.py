"""Command line of the appliance: ``python -m edge {process,run,doctor}``.

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
    from edge import ocr, scanner
    from edge.uplink.mqtt import BrokerSettings
    from edge.uplink.mqtt import probe as mqtt_probe

    cfg = load_config(args.config)
    checks: list[tuple[str, bool, str]] = []
    r = ocr.probe(lang=cfg.ocr.lang)
    checks.append(("tesseract", r.ok, r.detail))
    if cfg.scanner.source == "sane":
        s = scanner.probe(device=cfg.scanner.device, sane_config_dir=cfg.scanner.sane_config_dir)
        checks.append(("scanner", s.ok, s.detail))
    else:
        folder = cfg.scanner.hotfolder
        checks.append(("hot folder", folder.is_dir(), str(folder)))
    ok, detail = mqtt_probe(settings=BrokerSettings(
        host=cfg.mqtt.host, port=cfg.mqtt.port, username=cfg.mqtt.username,
        password=cfg.mqtt.password, tls=cfg.mqtt.tls,
        ca_file=str(cfg.mqtt.ca_file) if cfg.mqtt.ca_file else None,
        cert_file=str(cfg.mqtt.cert_file) if cfg.mqtt.cert_file else None,
        key_file=str(cfg.mqtt.key_file) if cfg.mqtt.key_file else None))
    checks.append(("broker", ok, detail))
    for name, good, text in checks:
        print(f"{'OK ' if good else 'FAIL'} {name}: {text}")
    return 0 if all(c[1] for c in checks) else 1


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
    do = sub.add_parser("doctor", help="check tesseract, scanner and broker")
    do.set_defaults(func=_cmd_doctor)
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
