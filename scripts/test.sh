#!/usr/bin/env bash
# Install what the tests need, then lint and run the whole suite (slow tests included).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --test
export OMP_THREAD_LIMIT=1
echo "==> ruff"
.venv/bin/ruff check .
echo "==> pytest"
exec .venv/bin/python -m pytest -q "$@"
