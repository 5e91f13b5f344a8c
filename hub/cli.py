"""Command line of the hub: ``python -m hub {ingest,serve,import,duplicates,cases,user}``.

Only parses arguments, calls the library and maps errors to exit codes.
"""
from __future__ import annotations

import argparse
import getpass
import json
import logging
import signal
import sys
import threading
from pathlib import Path

from hub.config import HubConfig, load_config, secret_key
from hub.exceptions import HubError

log = logging.getLogger("hub")


def _db_path(args: argparse.Namespace, cfg: HubConfig) -> Path:
    return Path(args.db) if getattr(args, "db", None) else cfg.hub.db


def _cmd_ingest(args: argparse.Namespace) -> int:
    from hub.ingest.subscriber import Ingester

    cfg = load_config(args.config)
    ingester = Ingester(db_path=_db_path(args, cfg), mqtt_cfg=cfg.mqtt)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    ingester.start()
    log.info("hub ingester running, index %s", _db_path(args, cfg))
    stop.wait()
    ingester.stop()
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from hub.panel import create_app

    cfg = load_config(args.config)
    app = create_app({"DATABASE": str(_db_path(args, cfg)), "SECRET_KEY": secret_key(cfg),
                      "STALE_AFTER_S": cfg.panel.stale_after_s})
    host = args.host or cfg.panel.host
    port = args.port or cfg.panel.port
    from werkzeug.serving import run_simple

    log.info("panel on http://%s:%d/", host, port)
    run_simple(host, port, app, threaded=True, use_reloader=False)
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from hub.dedup.match import finish_recheck
    from hub.index import open_index
    from hub.ingest.files import import_file

    cfg = load_config(args.config)
    db = open_index(_db_path(args, cfg))
    failed = 0
    for name in args.files:
        try:
            res = import_file(db, Path(name))
        except HubError as e:
            failed += 1
            if args.json:
                print(json.dumps({"source": name, "error": e.code, "detail": e.detail,
                                  "message_vi": e.message_vi}, ensure_ascii=False))
            else:
                print(f"{name}: {e.detail}", file=sys.stderr)
            continue
        if args.json:
            print(json.dumps({"source": res.source, "document_id": res.document_id,
                              "duplicate_of": list(res.duplicate_of),
                              "already_present": res.already_present}, ensure_ascii=False))
        else:
            dup = f" duplicate of {', '.join(res.duplicate_of)}" if res.duplicate_of else ""
            print(f"{res.source}: {res.document_id}{dup}")
    finish_recheck(db)
    return 0 if not failed else (2 if failed == len(args.files) else 1)


def _cmd_duplicates(args: argparse.Namespace) -> int:
    from hub.dedup import clusters
    from hub.index import open_index

    cfg = load_config(args.config)
    groups = clusters(open_index(_db_path(args, cfg)))
    if args.json:
        print(json.dumps({"clusters": [{"documents": g} for g in groups]}))
    else:
        for g in groups:
            print(" ".join(g))
    return 0


def _cmd_cases_import(args: argparse.Namespace) -> int:
    from hub.cases import import_csv
    from hub.index import open_index

    cfg = load_config(args.config)
    report = import_csv(open_index(_db_path(args, cfg)), Path(args.file), by=args.by)
    if args.json:
        print(json.dumps({"cases": report.cases, "documents_linked": report.documents_linked,
                          "errors": [{"line": n, "reason": r} for n, r in report.errors]}))
    else:
        print(f"{report.cases} cases imported, {report.documents_linked} documents linked")
        for n, r in report.errors:
            print(f"line {n}: {r}", file=sys.stderr)
    return 1 if report.errors else 0


def _cmd_cases_set(args: argparse.Namespace) -> int:
    from hub.cases import set_status
    from hub.index import open_index

    cfg = load_config(args.config)
    db = open_index(_db_path(args, cfg))
    try:
        with db.conn:
            set_status(db, args.case_ref, args.status, args.resolved_on, by=args.by, via="cli")
    except ValueError as e:
        raise HubError(str(e)) from e
    print(f"case {args.case_ref}: {args.status}")
    return 0


def _cmd_user(args: argparse.Namespace) -> int:
    from hub.index import open_index
    from hub.panel.users import create_user, set_password

    cfg = load_config(args.config)
    db = open_index(_db_path(args, cfg))
    if args.password:
        password = args.password
    elif sys.stdin.isatty():
        password = getpass.getpass("Mật khẩu / password: ")
    else:  # from a script: the first line of standard input, never on a command line
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < 8:
        raise HubError("password must have at least 8 characters")
    if db["users"].count_where("username = ?", [args.username]):
        set_password(db, args.username, password)
        print(f"password of {args.username} changed")
    else:
        create_user(db, args.username, password, display_name=args.name or "")
        print(f"user {args.username} created")
    return 0


def _cmd_dedup_fit(args: argparse.Namespace) -> int:
    from hub.dedup import fit

    seeds = tuple(range(args.first_seed, args.first_seed + args.seeds))
    cache = Path(args.pairs) if args.pairs else None
    if cache and cache.exists():
        pairs = fit.read_pairs(cache)
    else:
        pairs = fit.generated_pairs(seeds=seeds, matters=args.matters)
        if cache:
            fit.save_pairs(pairs, cache)
    provenance = {"command": "python -m hub dedup fit" + (f" --seeds {args.seeds}" if args.seeds != len(fit.FIT_SEEDS)
                                                         else "") + (" --db INDEX" if args.db else ""),
                  "seeds": list(seeds), "rates": list(fit.FIT_RATES), "matters": args.matters,
                  "variants": "plain, 30% of digit errors another digit, 30% of texts reflowed, both; in turn",
                  "generated_pairs": len(pairs)}
    if args.db:
        from hub.index import open_index

        cfg = load_config(args.config)
        decided = fit.decided_pairs(open_index(_db_path(args, cfg)))
        provenance["decided_pairs"] = len(decided)
        pairs += decided
    model = fit.fit(pairs, provenance)
    path = fit.write(model, Path(args.out) if args.out else fit.MODEL_FILE)
    print(f"model {model['version']}: {model['provenance']['pairs']} pairs, threshold {model['threshold']}, "
          f"written to {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m hub``."""
    p = argparse.ArgumentParser(prog="python -m hub", description="City petition hub.")
    p.add_argument("--config", type=Path, help="hub TOML config (default: built-in defaults "
                   "plus DONTHU_HUB_* environment overrides)")
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = p.add_subparsers(dest="command", required=True)

    def with_db(sp: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sp.add_argument("--db", help="city index SQLite file (default: [hub] db of the config)")
        return sp

    ing = with_db(sub.add_parser("ingest", help="subscribe to the kiosks and store what they send"))
    ing.set_defaults(func=_cmd_ingest)
    srv = with_db(sub.add_parser("serve", help="run the operator panel"))
    srv.add_argument("--host", help="address to listen on (default: [panel] host)")
    srv.add_argument("--port", type=int, help="port (default: [panel] port)")
    srv.set_defaults(func=_cmd_serve)
    imp = with_db(sub.add_parser("import", help="import .txt (UTF-8) and .pdf (text layer) petitions",
                                 description="One file = one document, matched against the index."))
    imp.add_argument("files", nargs="+", metavar="FILE")
    imp.add_argument("--json", action="store_true", help="one JSON line per file")
    imp.set_defaults(func=_cmd_import)
    dup = with_db(sub.add_parser("duplicates", help="print groups of documents judged the same matter"))
    dup.add_argument("--json", action="store_true", help='print {"clusters": [{"documents": [...]}]}')
    dup.set_defaults(func=_cmd_duplicates)
    cases = sub.add_parser("cases", help="case list: import the city's CSV, set a case's status")
    csub = cases.add_subparsers(dest="cases_command", required=True)
    cimp = with_db(csub.add_parser("import", help="import the city's case list (CSV)",
                                   description="Columns so_ho_so (required), trang_thai, ngay_giai_quyet, "
                                   "ngay_nhan, noi_dung, ma_don (or their English names: case_ref, status, "
                                   "resolved_on, received_on, title, doc_ids). Bad rows are reported by line."))
    cimp.add_argument("file", metavar="FILE.csv")
    cimp.add_argument("--by", default="csv-import", help="who is recorded as making the change")
    cimp.add_argument("--json", action="store_true", help='print {"cases", "documents_linked", "errors"}')
    cimp.set_defaults(func=_cmd_cases_import)
    cset = with_db(csub.add_parser("set", help="set a case's status"))
    cset.add_argument("case_ref")
    cset.add_argument("--status", required=True, choices=("received", "in_progress", "resolved"))
    cset.add_argument("--resolved-on", help="resolution date YYYY-MM-DD (needed for resolved)")
    cset.add_argument("--by", default="cli", help="who is recorded as making the change")
    cset.set_defaults(func=_cmd_cases_set)
    ded = sub.add_parser("dedup", help="the duplicate scoring model: refit it")
    dsub = ded.add_subparsers(dest="dedup_command", required=True)
    dfit = with_db(dsub.add_parser("fit", help="refit the duplicate scoring model",
                                   description="Fit the model's weights and threshold from generated letters "
                                   "under simulated OCR noise and, with --db, from the operators' decisions in "
                                   "that index (confirmed = one matter, rejected = not). Needs scikit-learn."))
    dfit.add_argument("--seeds", type=int, default=12, help="generator seeds to fit on (default 12)")
    dfit.add_argument("--first-seed", type=int, default=1000, help="first generator seed (default 1000)")
    dfit.add_argument("--matters", type=int, default=40, help="matters per generated corpus (default 40)")
    dfit.add_argument("--out", help="weights file to write (default: the packaged hub/dedup/data/model.json)")
    dfit.add_argument("--pairs", help="keep the generated pairs in this file, or read them from it when it exists")
    dfit.set_defaults(func=_cmd_dedup_fit)
    usr = with_db(sub.add_parser("user", help="create a panel user or change a password"))
    usr.add_argument("username")
    usr.add_argument("--password", help="(default: asked for, or the first line of standard input when it is "
                                        "not a terminal)")
    usr.add_argument("--name", help="display name")
    usr.set_defaults(func=_cmd_user)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    from edge.cli import run_cli

    return run_cli(build_parser(), argv, HubError)
