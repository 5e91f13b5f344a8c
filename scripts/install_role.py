"""Set up a production host of one role, after ``scripts/install.sh`` installed the packages.

    bash scripts/install.sh --hub     # city hub: broker, ingester, panel, nightly backup
    bash scripts/install.sh --kiosk   # kiosk appliance: scanner, pipeline, uplink, screen

Both: the project under /opt/donthu/src and its venv /opt/donthu/.venv, the users of
systemd/sysusers.d, the directories with their owners and modes, the units installed and
enabled. The hub also gets its broker config (with TLS when ``--tls-host`` names the address
kiosks use), the broker's hub user and hub.toml, and an admin panel user whose password is
read from standard input when it is not a terminal, else made and printed once. Re-running
changes nothing that is already right (passwords and keys are kept).

``--root DIR`` installs into DIR instead of / (a staging tree, and what the tests check);
there no user is created, nothing is chowned and no service is started.
Standard library only.
"""
from __future__ import annotations

import argparse
import grp
import os
import pwd
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SRC_PARTS = ("edge", "hub", "samplegen", "firmware_config", "systemd", "scripts", "docs",
             "pyproject.toml", "README.md")
UNITS = {"hub": ("donthu-hub-ingest.service", "donthu-hub-panel.service"),
         "kiosk": ("donthu-edge.service",)}
OPTIONAL_UNITS = {"hub": ("donthu-hub-backup.service", "donthu-hub-backup.timer")}
# (path, mode, owner) per role; owner "user[:group]", None = root.
DIRS = {
    # The index folder is shared by the ingester and the panel through the group donthu-index
    # (set-group-ID, as donthu-hub-ingest.service's StateDirectoryMode says).
    "hub": (("etc/donthu", 0o755, None), ("var/lib/donthu-hub", 0o2770, "donthu-hub:donthu-index"),
            ("var/lib/donthu-hub/releases", 0o2750, "donthu-hub:donthu-index")),
    "kiosk": (("etc/donthu", 0o755, None), ("var/lib/donthu-edge", 0o750, "donthu-edge"),
              ("srv/donthu/scan-in", 0o770, "donthu-edge"), ("var/cache/donthu/numba", 0o750, "donthu-edge")),
}


def say(text: str) -> None:
    print(f"==> {text}", flush=True)


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:  # noqa: ANN003
    return subprocess.run(cmd, check=True, timeout=kw.pop("timeout", 1800), **kw)


def systemd_running() -> bool:
    return Path("/run/systemd/system").is_dir() and shutil.which("systemctl") is not None


def copy_source(root: Path) -> Path:
    """The project under /opt/donthu/src (replaced whole, so removed files do not linger)."""
    dest = root / "opt/donthu/src"
    staging = dest.with_name("src.new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".venv", "var", "dist", "build", "*.egg-info")
    for part in SRC_PARTS:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, staging / part, ignore=ignore)
        elif src.exists():
            shutil.copy2(src, staging / part)
    if dest.exists():
        shutil.rmtree(dest)
    staging.rename(dest)
    return dest


def make_venv(root: Path, src: Path) -> Path:
    """/opt/donthu/.venv with the project installed (not editable: the source may be replaced)."""
    venv = root / "opt/donthu/.venv"
    if not (venv / "bin/python").exists():
        say(f"creating {venv}")
        run([sys.executable, "-m", "venv", str(venv)])
    run([str(venv / "bin/python"), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    run([str(venv / "bin/python"), "-m", "pip", "install", "--quiet", str(src)])
    return venv


def users(root: Path, *, create: bool) -> None:
    """The service users of systemd/sysusers.d (systemd-sysusers, or useradd without systemd)."""
    conf = REPO / "systemd/sysusers.d/donthu.conf"
    target = root / "etc/sysusers.d/donthu.conf"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(conf, target)
    if not create:
        return
    if shutil.which("systemd-sysusers"):
        run(["systemd-sysusers", str(target)])
        return
    for line in conf.read_text().splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] == "g":
            subprocess.run(["groupadd", "--system", "-f", parts[1]], check=False, timeout=60)
        elif len(parts) >= 2 and parts[0] == "u":
            try:
                pwd.getpwnam(parts[1])
            except KeyError:
                run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", parts[1]])
        elif len(parts) >= 3 and parts[0] == "m":  # the group may not exist without libsane
            subprocess.run(["usermod", "-a", "-G", parts[2], parts[1]], check=False, timeout=60)


def directories(root: Path, role: str, *, chown: bool) -> None:
    for rel, mode, owner in DIRS[role]:
        path = root / rel
        path.mkdir(parents=True, exist_ok=True)
        os.chmod(path, mode)
        if chown and owner:
            user, _, group = owner.partition(":")
            entry = pwd.getpwnam(user)
            os.chown(path, entry.pw_uid, grp.getgrnam(group).gr_gid if group else entry.pw_gid)


def units(root: Path, role: str) -> list[str]:
    """Copy the role's units (and the broker drop-in on the hub); return the names installed."""
    dest = root / "etc/systemd/system"
    dest.mkdir(parents=True, exist_ok=True)
    names = [*UNITS[role], *(u for u in OPTIONAL_UNITS.get(role, ()) if (REPO / "systemd" / u).exists())]
    for name in names:
        shutil.copy2(REPO / "systemd" / name, dest / name)
    if role == "hub":
        dropin = dest / "mosquitto.service.d"
        dropin.mkdir(exist_ok=True)
        shutil.copy2(REPO / "systemd/mosquitto.service.d/donthu.conf", dropin / "donthu.conf")
    return names


def provision_hub(root: Path, venv: Path, args: argparse.Namespace) -> None:
    """Broker config (TLS when asked), the broker's hub user, hub.toml, an admin panel user."""
    provision = [sys.executable, str(REPO / "firmware_config/provision.py")]
    broker_dir = root / "etc/donthu/mosquitto"
    broker = [*provision, "broker", "--dir", str(broker_dir), "--bind", args.bind,
              "--data-dir", str(root / "var/lib/mosquitto")]
    if args.tls_host:
        tls_dir = broker_dir / "tls"
        if not (tls_dir / "ca.crt").exists():
            run([*provision, "ca", "--tls-dir", str(tls_dir), *sum((["--host", h] for h in args.tls_host), [])])
        broker += ["--tls", "--cafile", str(tls_dir / "ca.crt"), "--certfile", str(tls_dir / "server.crt"),
                   "--keyfile", str(tls_dir / "server.key")]
    run(broker)
    hub_toml = root / "etc/donthu/hub.toml"
    if not hub_toml.exists():
        owner = [] if args.root else ["--owner", "donthu-hub"]
        run([*provision, "hub", "--dir", str(broker_dir), "--out", str(hub_toml),
             "--db", "/var/lib/donthu-hub/index.db", *owner])
    if args.root:
        return  # no panel user in a staging tree: the index is made on the host
    password = sys.stdin.readline().strip() if not sys.stdin.isatty() else ""
    generated = not password
    password = password or secrets.token_urlsafe(12)
    run([str(venv / "bin/python"), "-m", "hub", "--config", str(hub_toml), "user", args.admin, "--role", "admin", "--name",
         "Quản trị"], input=password + "\n", text=True)
    if generated:
        print(f"panel user {args.admin!r}, password (shown once): {password}")


def enable(names: list[str], role: str) -> None:
    if not systemd_running():
        say("systemd is not running here: units installed, not started")
        return
    run(["systemctl", "daemon-reload"])
    if role == "hub":
        run(["systemctl", "restart", "mosquitto"])
    timers = [n for n in names if n.endswith(".timer")]
    services = [n for n in names if n.endswith(".service") and "backup" not in n]
    run(["systemctl", "enable", "--now", *services, *timers])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Set up a hub or kiosk host (after install.sh's packages).")
    p.add_argument("role", choices=("hub", "kiosk"))
    p.add_argument("--root", type=Path, help="install into this staging tree instead of /")
    p.add_argument("--bind", default="0.0.0.0", help="hub: broker listen address (kiosks on the LAN)")
    p.add_argument("--tls-host", action="append", default=[],
                   help="hub: name or IP kiosks connect to; turns on TLS with a fleet CA (repeatable)")
    p.add_argument("--admin", default="admin", help="hub: the first panel user")
    p.add_argument("--skip-venv", action="store_true", help="do not (re)build /opt/donthu/.venv")
    args = p.parse_args(argv)
    root = args.root.resolve() if args.root else Path("/")
    live = args.root is None
    if live and os.geteuid() != 0:
        print("error: run as root (or with --root DIR to stage)", file=sys.stderr)
        return 2
    say(f"installing the {args.role} role into {root}")
    src = copy_source(root)
    venv = root / "opt/donthu/.venv" if args.skip_venv else make_venv(root, src)
    users(root, create=live)
    directories(root, args.role, chown=live)
    names = units(root, args.role)
    if args.role == "hub":
        provision_hub(root, venv, args)
    if live:
        enable(names, args.role)
    say(f"{args.role} role installed: {', '.join(names)}")
    if args.role == "kiosk":
        print("next: python -m edge enroll   (with the code from `python -m hub device add ID` on the hub)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
