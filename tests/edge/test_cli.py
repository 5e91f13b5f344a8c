"""``python -m edge doctor`` checks every outside part and says which one is missing."""
from __future__ import annotations

import subprocess
import sys

from tests.conftest import PASSWORDS


def run_doctor(env_overrides: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    import os

    env = dict(os.environ, **env_overrides)
    return subprocess.run([sys.executable, "-m", "edge", "doctor"], capture_output=True, text=True,
                          env=env, timeout=120)


def test_doctor_all_good(broker, tmp_path):
    (tmp_path / "in").mkdir()
    out = run_doctor({"DONTHU_EDGE_SCANNER_SOURCE": "hotfolder",
                      "DONTHU_EDGE_SCANNER_HOTFOLDER": str(tmp_path / "in"),
                      "DONTHU_EDGE_MQTT_PORT": str(broker.port),
                      "DONTHU_EDGE_MQTT_PASSWORD": PASSWORDS["k01"]}, tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "OK  tesseract" in out.stdout and "OK  broker" in out.stdout


def test_doctor_names_what_is_wrong(broker, tmp_path):
    out = run_doctor({"DONTHU_EDGE_SCANNER_SOURCE": "sane",
                      "DONTHU_EDGE_SCANNER_DEVICE": "nosuch:0",
                      "DONTHU_EDGE_MQTT_PORT": str(broker.port),
                      "DONTHU_EDGE_MQTT_PASSWORD": "wrong"}, tmp_path)
    assert out.returncode == 1
    assert "FAIL scanner" in out.stdout and "FAIL broker" in out.stdout


def test_bad_config_value_names_the_key(tmp_path):
    cfg = tmp_path / "edge.toml"
    cfg.write_text('[scanner]\ndpi = "many"\n')
    out = subprocess.run([sys.executable, "-m", "edge", "--config", str(cfg), "doctor"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 3
    assert "[scanner] dpi" in out.stderr
