"""Every unit's command line parses: the services would not start otherwise (``--config`` is an
option of the program, before the subcommand)."""
from __future__ import annotations

import shlex
from pathlib import Path

from edge.cli import build_parser as edge_parser
from hub.cli import build_parser as hub_parser

UNITS = Path(__file__).resolve().parents[1] / "systemd"


def test_every_exec_line_of_the_units_parses():
    seen = 0
    for unit in UNITS.glob("*.service"):
        for line in unit.read_text().splitlines():
            if not line.startswith(("ExecStart=", "ExecStartPre=")) or line.endswith("="):
                continue
            argv = shlex.split(line.split("=", 1)[1])
            if "-m" not in argv:
                continue
            module = argv[argv.index("-m") + 1]
            args = argv[argv.index("-m") + 2:]
            parser = {"edge": edge_parser, "hub": hub_parser}[module]()
            parsed = parser.parse_args(args)  # SystemExit (a failed test) on a bad command line
            assert parsed.config == Path("/etc/donthu/edge.toml" if module == "edge" else "/etc/donthu/hub.toml")
            seen += 1
    assert seen >= 4
