"""Hub config: TOML plus DONTHU_HUB_* overrides, and errors that name the key."""
from __future__ import annotations

from pathlib import Path

import pytest

from hub.config import load_config
from hub.exceptions import ConfigError


def test_toml_and_environment_override(tmp_path):
    (tmp_path / "hub.password").write_text("s3cret\n")
    cfg_file = tmp_path / "hub.toml"
    cfg_file.write_text(f'[hub]\ndb = "{tmp_path}/index.db"\n[mqtt]\nport = 1884\n'
                        f'password_file = "{tmp_path}/hub.password"\n')
    cfg = load_config(cfg_file, env={"DONTHU_HUB_PANEL_PORT": "9090"})
    assert cfg.hub.db == Path(tmp_path / "index.db")
    assert (cfg.mqtt.port, cfg.mqtt.password, cfg.panel.port) == (1884, "s3cret", 9090)


@pytest.mark.parametrize("text, named", [
    ("[mqtt]\nport = \"many\"\n", "[mqtt] port"),
    ("[panel]\nprot = 1\n", "[panel] has unknown key(s) prot"),
    ("[hubb]\n", "unknown section(s) hubb"),
    ("[mqtt\n", "not valid TOML"),
])
def test_bad_config_names_the_key(tmp_path, text, named):
    cfg_file = tmp_path / "hub.toml"
    cfg_file.write_text(text)
    with pytest.raises(ConfigError) as e:
        load_config(cfg_file, env={})
    assert named in e.value.detail and e.value.message_vi
