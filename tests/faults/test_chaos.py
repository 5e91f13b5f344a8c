"""Two short seeded bad days (tests/faults/chaos.py): every fed page indexed exactly once."""
from __future__ import annotations

import pytest

from tests.faults.chaos import run_seed

pytestmark = pytest.mark.slow

# Long enough for every target's first fault, the hub's up to 25 s away included.
CHAOS_S = 32.0


@pytest.mark.parametrize("seed", [11, 23])
def test_a_seeded_schedule_of_kills_and_stops_loses_and_duplicates_nothing(tmp_path, seed):
    res = run_seed(seed, root=tmp_path / f"seed-{seed}", chaos_s=CHAOS_S, drain_s=60.0)
    print(res.line())
    assert res.ok, f"{res.line()}\n" + "\n".join(res.problems)
    assert {f.split()[0] for f in res.faults} == {"agent", "broker", "hub"}
