#!/usr/bin/env bash
# Soak: seeded schedules of SIGKILL / SIGSTOP / restart of kiosk agent, broker and hub
# ingester while a hot folder is fed; one line per seed:
#   seed S: fed N, indexed N once, lost 0, duplicated 0 (re-sends R, faults F, T s)
# Usage: bash scripts/chaos.sh [--seeds N] [--minutes M] [--first-seed S] [--keep DIR]
# Exit status 1 when any seed lost or duplicated a page. See docs/reliability.md.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
[ -x "$PY" ] || PY=python3
export OMP_THREAD_LIMIT=1
exec "$PY" -m tests.faults.chaos "$@"
