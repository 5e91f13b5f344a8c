"""The README documents every command of both CLIs, and holds the two set-up commands."""
from __future__ import annotations

import argparse
from pathlib import Path

from edge.cli import build_parser as edge_parser
from hub.cli import build_parser as hub_parser

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _subcommands(parser: argparse.ArgumentParser) -> list[str]:
    for action in parser._actions:  # argparse keeps subparsers here
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices)
    return []


def test_every_command_is_documented():
    for prog, parser in (("edge", edge_parser()), ("hub", hub_parser())):
        for name in _subcommands(parser):
            assert f"python -m {prog}" in README and f" {name}" in README, f"{prog} {name}"


def test_the_two_setup_commands():
    assert "bash scripts/demo.sh" in README
    assert "bash scripts/test.sh" in README
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    assert "scripts/test.sh" in ci
