"""The service units as systemd sees them: exposure score, unit syntax, umask, users."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

UNITS = sorted((Path(__file__).parents[2] / "systemd").glob("*.service"))
SYSUSERS = Path(__file__).parents[2] / "systemd" / "sysusers.d" / "donthu.conf"
# The bar: "systemd-analyze security" exposure at most 3.0 ("OK") for every unit.
MAX_EXPOSURE = 3.0
analyze = pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")


def _settings(unit: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in unit.read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            out.setdefault(key.strip(), []).append(value.strip())
    return out


def test_there_are_units():
    assert {u.name for u in UNITS} >= {"donthu-edge.service", "donthu-hub-ingest.service",
                                       "donthu-hub-panel.service"}


@analyze
@pytest.mark.parametrize("unit", UNITS, ids=lambda u: u.name)
def test_exposure_is_at_most_3(unit):
    out = subprocess.run(["systemd-analyze", "security", "--offline=true", "--no-pager", str(unit)],
                         capture_output=True, text=True, timeout=60)
    found = re.search(r"Overall exposure level for \S+: (\d+\.\d)", out.stdout)
    assert found, out.stdout + out.stderr
    assert float(found.group(1)) <= MAX_EXPOSURE, out.stdout


@analyze
@pytest.mark.parametrize("unit", UNITS, ids=lambda u: u.name)
def test_unit_verifies(unit):
    out = subprocess.run(["systemd-analyze", "verify", "--man=no", str(unit)],
                         capture_output=True, text=True, timeout=60)
    # Offline, the venv of the installed system (/opt/donthu/.venv) is absent here; anything
    # else (an unknown or misspelt setting, a bad value) is a real problem.
    problems = [line for line in (out.stdout + out.stderr).splitlines()
                if line.strip() and "is not executable" not in line]
    assert not problems, problems


@pytest.mark.parametrize("unit", UNITS, ids=lambda u: u.name)
def test_unit_runs_unprivileged_with_a_private_umask(unit):
    s = _settings(unit)
    assert s["UMask"] == ["0077"]
    assert s["User"][0] not in ("root", "0") and s["CapabilityBoundingSet"] == [""]
    assert s["NoNewPrivileges"] == ["true"]
    assert not any("--password" in cmd for cmd in s["ExecStart"])  # no secret on a command line


def test_panel_and_ingester_are_different_users_sharing_the_index_group():
    ingest = _settings(UNITS[[u.name for u in UNITS].index("donthu-hub-ingest.service")])
    panel = _settings(UNITS[[u.name for u in UNITS].index("donthu-hub-panel.service")])
    assert (ingest["User"], panel["User"]) == (["donthu-hub"], ["donthu-panel"])
    assert ingest["Group"] == panel["Group"] == ["donthu-index"]
    assert ingest["StateDirectoryMode"] == ["2770"]  # set-group-ID: index files 0660 in it
    rows = {tuple(line.split()[:3]) for line in SYSUSERS.read_text().splitlines()
            if line.strip() and not line.startswith("#")}
    assert {("u", "donthu-hub", "-"), ("u", "donthu-panel", "-"), ("g", "donthu-index", "-"),
            ("m", "donthu-hub", "donthu-index"), ("m", "donthu-panel", "donthu-index")} <= rows
