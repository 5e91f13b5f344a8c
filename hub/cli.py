"""Command line of the hub: ``python -m hub {ingest,serve,import,duplicates,cases,dedup,device,release,backup,restore,user}``.

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
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from hub.config import HubConfig, load_config, secret_key
from hub.exceptions import HubError

log = logging.getLogger("hub")


def _db_path(args: argparse.Namespace, cfg: HubConfig) -> Path:
    return Path(args.db) if getattr(args, "db", None) else cfg.hub.db


def _cmd_ingest(args: argparse.Namespace) -> int:
    from edge.supervise import run_main_loop
    from hub.index.backup import hold_index
    from hub.ingest.subscriber import Ingester

    cfg = load_config(args.config)
    hold_index(_db_path(args, cfg))  # `hub restore` refuses while this process runs
    ingester = Ingester(db_path=_db_path(args, cfg), mqtt_cfg=cfg.mqtt)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    ingester.start()
    log.info("hub ingester running, index %s", _db_path(args, cfg))
    # READY=1, then the watchdog pings while the writer turns (edge/supervise.py).
    code = run_main_loop(stop, ingester.supervisor, ingester.health_check)
    ingester.stop()
    return code


def _cmd_serve(args: argparse.Namespace) -> int:
    import waitress

    from hub.index.backup import hold_index
    from hub.panel import create_app

    # The panel's Unix user cannot read the broker password and has no use for it.
    cfg = load_config(args.config, read_secrets=False)
    # With --db the session key lives next to that index, not next to the configured one.
    cfg = replace(cfg, hub=replace(cfg.hub, db=_db_path(args, cfg)))
    app = create_app({"DATABASE": str(cfg.hub.db), "SECRET_KEY": secret_key(cfg),
                      "STALE_AFTER_S": cfg.panel.stale_after_s,
                      "SECURE_COOKIES": cfg.panel.secure_cookies,
                      "BEHIND_PROXY": cfg.panel.behind_proxy,
                      "PERMANENT_SESSION_LIFETIME": timedelta(hours=cfg.panel.session_hours),
                      "SESSION_IDLE_S": cfg.panel.idle_minutes * 60,
                      "HUB_URL": cfg.fleet.hub_url})
    hold_index(cfg.hub.db)  # `hub restore` refuses while the panel runs
    host = args.host or cfg.panel.host
    port = args.port or cfg.panel.port
    log.info("panel on http://%s:%d/", host, port)
    # waitress: a production WSGI server (werkzeug's is for development). One process with
    # a few threads; the access log is the panel's own (paths only, no query strings).
    # Behind a proxy ([panel] behind_proxy) the app itself reads X-Forwarded-*.
    waitress.serve(app, host=host, port=port, threads=cfg.panel.threads, ident="donthu")
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from hub.dedup.match import finish_recheck
    from hub.index import open_index
    from hub.ingest.files import import_file

    if bool(args.files) == bool(args.watch):
        raise HubError("give either FILE... or --watch DIR")
    cfg = load_config(args.config)
    db = open_index(_db_path(args, cfg))
    if args.watch:
        return _watch(args, db)
    failed = 0
    for name in args.files:
        try:
            res = import_file(db, Path(name))
        except HubError as e:
            failed += 1
            _print_import(args, name, e)
            continue
        _print_import(args, name, res)
    finish_recheck(db)
    return 0 if not failed else (2 if failed == len(args.files) else 1)


def _print_import(args: argparse.Namespace, name: str, res) -> None:
    if isinstance(res, HubError):
        if args.json:
            print(json.dumps({"source": name, "error": res.code, "detail": res.detail,
                              "message_vi": res.message_vi}, ensure_ascii=False), flush=True)
        else:
            print(f"{name}: {res.detail}", file=sys.stderr, flush=True)
    elif args.json:
        print(json.dumps({"source": res.source, "document_id": res.document_id,
                          "duplicate_of": list(res.duplicate_of),
                          "already_present": res.already_present}, ensure_ascii=False), flush=True)
    else:
        dup = f" duplicate of {', '.join(res.duplicate_of)}" if res.duplicate_of else ""
        print(f"{res.source}: {res.document_id}{dup}", flush=True)


def _watch(args: argparse.Namespace, db) -> int:
    from hub.dedup.match import finish_recheck
    from hub.ingest.watch import watch

    folder = Path(args.watch)
    if not folder.is_dir():
        raise HubError(f"{folder}: not a folder")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    log.info("watching an import folder")

    def report(path: Path, res) -> None:
        _print_import(args, str(path), res)
        finish_recheck(db)

    watch(db, folder, stop=stop, poll_s=args.poll, on_result=report)
    return 0


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


def _read_password() -> str:
    if sys.stdin.isatty():
        return getpass.getpass("Mật khẩu / password: ")
    # From a script: the first line of standard input, never on a command line (visible to
    # every user of the machine in ps and /proc).
    return sys.stdin.readline().rstrip("\r\n")


def _cmd_user(args: argparse.Namespace) -> int:
    from hub.index import open_index
    from hub.panel import throttle
    from hub.panel.users import create_user, delete_user, get_user, set_password, update_user

    cfg = load_config(args.config, read_secrets=False)
    db = open_index(_db_path(args, cfg))
    name = args.username
    if args.delete:
        delete_user(db, name)
        print(f"user {name} deleted; their sessions ended")
        return 0
    if args.unlock:
        lifted = throttle.unlock(db, name)
        print(f"user {name} unlocked" if lifted else f"user {name} was not locked")
        return 0
    if get_user(db, name) is None:
        create_user(db, name, _read_password(), display_name=args.name or "",
                    role=args.role or "operator")
        print(f"user {name} created ({args.role or 'operator'})")
        return 0
    if not args.keep_password:  # first: a refused password changes nothing else either
        set_password(db, name, _read_password())
        print(f"password of {name} changed; their sessions ended")
    update_user(db, name, role=args.role, display_name=args.name)
    if args.role:
        print(f"role of {name}: {args.role}")
    return 0


def _cmd_device(args: argparse.Namespace) -> int:
    from edge.enrollment import EnrollError
    from hub.fleet import enroll
    from hub.index.db import open_index

    cfg = load_config(args.config)
    db = open_index(_db_path(args, cfg))
    by = getpass.getuser()
    try:
        if args.device_command == "add":
            code, expires = enroll.add_device(db, cfg, device_id=args.device_id, name=args.name or "",
                                              point=args.point or "", by=by)
            text = code.text()
            if args.qr:
                import segno

                segno.make(text, error="m").save(str(args.qr), scale=6)
            # The code is shown once, to the technician at this terminal; never logged.
            print(f"Mã đăng ký cho {args.device_id} (hết hạn {expires}):\n\n  {text}\n")
            if args.qr:
                print(f"QR: {args.qr}")
            print("Trên thiết bị: python -m edge enroll   (rồi nhập mã)")
        elif args.device_command == "retire":
            enroll.retire(db, cfg, device_id=args.device_id, by=by)
            print(f"{args.device_id} retired: its broker login no longer works")
        else:
            items = enroll.enrollments(db)
            if args.json:
                print(enroll.to_json(items))
            for e in [] if args.json else items:
                print(f"{e.device_id:20} {e.state:9} {e.name} {e.point}".rstrip())
    except EnrollError as e:
        print(f"error: {e}\n{e.message_vi}", file=sys.stderr)
        return e.exit_code
    return 0


def _cmd_release(args: argparse.Namespace) -> int:
    from hub.fleet import releases
    from hub.index.db import open_index

    cfg = load_config(args.config)
    db_path = _db_path(args, cfg)
    db = open_index(db_path)
    folder = cfg.fleet.releases_dir or db_path.parent / "releases"
    if args.release_command == "add":
        r = releases.add_release(db, Path(args.wheel), releases_dir=folder, by=getpass.getuser())
        print(f"release {r.version} added ({r.size} bytes, sha256 {r.sha256}, build {r.build or '-'})")
    elif args.release_command == "deploy":
        ids = releases.deploy(db, args.version, args.devices, hub_url=cfg.fleet.hub_url,
                              by=getpass.getuser(), canary=args.canary or "", force=args.force)
        print(f"update to {args.version} queued for {len(ids)} kiosk(s)")
    else:
        for r in releases.releases(db):
            print(f"{r.version:16} {r.added_at} {r.sha256[:16]} {r.build}")
    return 0


def _cmd_backup(args: argparse.Namespace) -> int:
    import hub.dedup  # noqa: F401 — registers the matcher's migrations, which a backup holds too
    from hub.index.backup import backup

    cfg = load_config(args.config)
    res = backup(_db_path(args, cfg), Path(args.dest), keep=args.keep)
    print(f"{res.path}: {res.documents} documents, {res.size_bytes / 1e6:.1f} MB, {res.seconds:.1f} s")
    for old in res.removed:
        print(f"removed {old} (keeping the newest {args.keep})")
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    import hub.dedup  # noqa: F401 — registers the matcher's migrations, which a backup holds too
    from hub.index.backup import restore

    cfg = load_config(args.config)
    res = restore(Path(args.src), _db_path(args, cfg))
    print(f"{res.path}: {res.documents} documents restored in {res.seconds:.1f} s")
    if res.previous is not None:
        print(f"the index it replaced is kept as {res.previous}")
    if res.migrated:
        print(f"migrations applied: {', '.join(res.migrated)}")
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
    imp = with_db(sub.add_parser(
        "import", help="import petitions: .txt, .docx, .odt, .eml, .pdf, scans and photos",
        description="One file = one document, matched against the index. Text (UTF-8, UTF-16 "
        "with BOM, Windows-1258), Word .docx, OpenDocument .odt, e-mail .eml (body, then each "
        "attachment), PDF (text layer, else OCR), images .jpg/.png/.tif/.heic (OCR through the "
        "kiosk's page pipeline)."))
    imp.add_argument("files", nargs="*", metavar="FILE")
    imp.add_argument("--watch", metavar="DIR", help="import files dropped into DIR until stopped "
                     "(SIGINT/SIGTERM); imported ones move to DIR/done/, refused ones to DIR/failed/ "
                     "with NAME.error.txt")
    imp.add_argument("--poll", type=float, default=2.0, help="seconds between looks at --watch DIR")
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
    dev = sub.add_parser("device", help="enroll, list and retire kiosks (run on the broker host)")
    dsub = dev.add_subparsers(dest="device_command", required=True)
    dadd = with_db(dsub.add_parser("add", help="register a kiosk and print its one-time enrollment code",
                                   description="Registers ID on the broker ([fleet] broker_dir), seals its "
                                   "credentials under a new one-time code ([fleet] code_hours) and prints the code."))
    dadd.add_argument("device_id", metavar="ID")
    dadd.add_argument("--name", help="display name, e.g. 'Phường Hàng Bạc - quầy 1'")
    dadd.add_argument("--point", help="reception point")
    dadd.add_argument("--qr", type=Path, help="also write the code as a QR image (.png or .svg)")
    dadd.set_defaults(func=_cmd_device)
    dret = with_db(dsub.add_parser("retire", help="lock a kiosk out of the broker now"))
    dret.add_argument("device_id", metavar="ID")
    dret.set_defaults(func=_cmd_device)
    dlist = with_db(dsub.add_parser("list", help="kiosks given a code: pending, enrolled, expired, retired"))
    dlist.add_argument("--json", action="store_true", help="one JSON list")
    dlist.set_defaults(func=_cmd_device)
    rel = sub.add_parser("release", help="fleet updates: add a release, roll it out (canary first)")
    rsub = rel.add_subparsers(dest="release_command", required=True)
    radd = with_db(rsub.add_parser("add", help="keep a wheel of the project as a release"))
    radd.add_argument("wheel", metavar="WHEEL", help="donthu-VERSION-py3-none-any.whl (scripts/build-release.sh)")
    radd.set_defaults(func=_cmd_release)
    rdep = with_db(rsub.add_parser("deploy", help="update kiosks to a release (one --canary first)"))
    rdep.add_argument("version")
    rdep.add_argument("devices", nargs="*", metavar="ID")
    rdep.add_argument("--canary", metavar="ID", help="update only this kiosk now")
    rdep.add_argument("--force", action="store_true", help="update without a confirmed canary")
    rdep.set_defaults(func=_cmd_release)
    rlist = with_db(rsub.add_parser("list", help="releases the hub holds"))
    rlist.set_defaults(func=_cmd_release)
    bak = with_db(sub.add_parser(
        "backup", help="copy the city index consistently while ingest and panel run",
        description="SQLite's online backup (one snapshot), checked and fsynced before it gets "
                    "its name. DEST is a file, or a directory for index-<UTC time>.db."))
    bak.add_argument("dest", metavar="DEST")
    bak.add_argument("--keep", type=int, default=0,
                     help="with a directory: keep only the newest N backups (0 = all)")
    bak.set_defaults(func=_cmd_backup)
    rst = with_db(sub.add_parser(
        "restore", help="put a backup back in place of the city index (services stopped)",
        description="Refuses while hub ingest or hub serve holds the index; checks the backup "
                    "(integrity, tables, migrations) and keeps the replaced index beside it."))
    rst.add_argument("src", metavar="SRC")
    rst.set_defaults(func=_cmd_restore)
    usr = with_db(sub.add_parser(
        "user", help="panel accounts: create, change password or role, unlock, delete",
        description="Creates the account, or changes its password (ending its sessions). The "
        "password is asked for, or read from the first line of standard input when that is "
        "not a terminal; it is never taken from the command line."))
    usr.add_argument("username")
    usr.add_argument("--name", help="display name")
    usr.add_argument("--role", choices=("admin", "operator"),
                     help="admin may reconfigure, restart and clean kiosks; operator may not "
                     "(default for a new account: operator)")
    usr.add_argument("--keep-password", action="store_true",
                     help="existing account: change only --role/--name, not the password")
    usr.add_argument("--unlock", action="store_true",
                     help="lift a sign-in lockout after too many wrong passwords")
    usr.add_argument("--delete", action="store_true", help="delete the account and end its sessions")
    usr.set_defaults(func=_cmd_user)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    from edge.cli import run_cli

    return run_cli(build_parser(), argv, HubError)
