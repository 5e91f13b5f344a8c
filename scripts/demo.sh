#!/usr/bin/env bash
# Install everything and run the whole system on this machine: a local Mosquitto with the
# project's config, the hub (ingester + panel) and one kiosk appliance fed with generated petitions.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export OMP_THREAD_LIMIT=1
exec .venv/bin/python scripts/demo.py "$@"
