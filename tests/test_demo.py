"""The demo's own steps that a run on a fresh machine depends on."""
from __future__ import annotations

import importlib.util
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _demo():
    spec = importlib.util.spec_from_file_location("demo", ROOT / "scripts" / "demo.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_panel_admin_gets_its_kept_password_even_one_that_looks_like_an_option(tmp_path):
    """1 run in 64 draws a password starting with "-"; on the command line it was taken for an
    option and the demo failed on every later run, the password being kept."""
    from hub.index import open_index
    from hub.panel.users import verify_user

    demo = _demo()
    (tmp_path / "hub.toml").write_text(f'[hub]\ndb = "{tmp_path / "index.db"}"\n', encoding="utf-8")
    kept = tmp_path / "panel-admin.password"
    kept.write_text("-KHglPhVpe0d\n")
    cfg = ["--config", str(tmp_path / "hub.toml")]
    assert demo.panel_admin(cfg, kept, dict(os.environ)) == "-KHglPhVpe0d"
    assert verify_user(open_index(tmp_path / "index.db"), "admin", "-KHglPhVpe0d")
    # A second run keeps the password; a first run makes one, readable by root alone.
    assert demo.panel_admin(cfg, kept, dict(os.environ)) == "-KHglPhVpe0d"
    fresh = tmp_path / "new.password"
    made = demo.panel_admin(cfg, fresh, dict(os.environ))
    assert len(made) >= 12 and fresh.stat().st_mode & 0o777 == 0o600
    assert verify_user(open_index(tmp_path / "index.db"), "admin", made)
