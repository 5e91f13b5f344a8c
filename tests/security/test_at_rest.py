"""Data at rest as another user of the machine sees it: file modes of the index and the spool,
secrets in reprs and on command lines (issue 18, finding 8)."""
from __future__ import annotations

import os
import stat
import subprocess
import sys

from edge.config import load_config as load_edge_config
from edge.outbox.spool import Spool
from hub.config import load_config
from hub.index import open_index


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_index_and_its_log_files_are_for_their_owner_alone(tmp_path):
    path = tmp_path / "hub" / "index.db"
    db = open_index(path)
    db["users"].count  # noqa: B018 — a read, so the -wal/-shm files exist while it is open
    for name in (path, f"{path}-wal", f"{path}-shm", f"{path}.migrate-lock"):
        assert _mode(name) == 0o600, name
    assert _mode(path.parent) == 0o700
    db.conn.close()


def test_an_index_in_a_shared_folder_is_for_its_group_too(tmp_path):
    shared = tmp_path / "donthu-hub"
    shared.mkdir()
    os.chmod(shared, 0o2770)  # what StateDirectoryMode=2770 of donthu-hub-ingest makes
    db = open_index(shared / "index.db")
    db["users"].count  # noqa: B018
    for name in ("index.db", "index.db-wal", "index.db-shm"):
        assert _mode(shared / name) == 0o660, name
    db.conn.close()


def test_an_old_world_readable_index_is_tightened(tmp_path):
    path = tmp_path / "index.db"
    open_index(path).conn.close()
    os.chmod(path, 0o644)
    open_index(path).conn.close()
    assert _mode(path) == 0o600


def test_a_new_spool_is_for_its_owner_alone(tmp_path):
    spool = Spool(tmp_path / "edge" / "spool.db")
    for name in ("spool.db", "spool.db-wal", "spool.db-shm"):
        if (tmp_path / "edge" / name).exists():
            assert _mode(tmp_path / "edge" / name) == 0o600, name
    assert _mode(tmp_path / "edge" / "spool.db") == 0o600
    assert _mode(tmp_path / "edge") == 0o700
    spool.db.conn.close()


def test_an_old_world_readable_spool_is_tightened(tmp_path):
    folder = tmp_path / "edge"
    Spool(folder / "spool.db").close()
    os.chmod(folder / "spool.db", 0o644)  # as SQLite made it before the spool took care
    spool = Spool(folder / "spool.db")
    try:
        spool.set_setting("probe", "1")  # a write: the -wal and -shm files exist now
        for name in ("spool.db", "spool.db-wal", "spool.db-shm"):
            assert _mode(folder / name) == 0o600, name
    finally:
        spool.close()


def test_config_reprs_hide_the_broker_password(tmp_path):
    (tmp_path / "hub.password").write_text("mat-khau-broker-7\n")
    hub_toml = tmp_path / "hub.toml"
    hub_toml.write_text(f'[mqtt]\npassword_file = "{tmp_path}/hub.password"\n')
    cfg = load_config(hub_toml, env={})
    assert cfg.mqtt.password == "mat-khau-broker-7"
    assert "mat-khau-broker-7" not in repr(cfg) and "mat-khau-broker-7" not in str(cfg.mqtt)
    edge_toml = tmp_path / "edge.toml"
    edge_toml.write_text('[device]\nid = "kiosk-01"\n[mqtt]\npassword = "mat-khau-kiosk-8"\n')
    ecfg = load_edge_config(edge_toml, env={})
    assert "mat-khau-kiosk-8" not in repr(ecfg) and "mat-khau-kiosk-8" not in repr(ecfg.mqtt)


def test_the_panel_reads_no_broker_password(tmp_path):
    """The panel's user cannot read the ingester's password file, and need not."""
    hub_toml = tmp_path / "hub.toml"
    hub_toml.write_text(f'[mqtt]\npassword_file = "{tmp_path}/not-readable-by-the-panel"\n')
    assert load_config(hub_toml, env={}, read_secrets=False).mqtt.password == ""


def test_no_hub_command_takes_a_secret_on_its_command_line():
    out = subprocess.run([sys.executable, "-m", "hub", "user", "--help"], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0 and "--password" not in out.stdout
    assert "standard input" in out.stdout
