#!/usr/bin/env bash
# Build a release of the project for fleet updates: dist/donthu-VERSION-py3-none-any.whl,
# with the build's git commit in edge/BUILD. Run once on any machine with the checkout (no
# internet needed beyond what install.sh already installed), then on the hub:
#   python -m hub release add dist/donthu-VERSION-py3-none-any.whl
set -euo pipefail
cd "$(dirname "$0")/.."
python=.venv/bin/python
[ -x "$python" ] || python=python3
# setuptools builds the wheel in this venv (no isolated build env to download).
"$python" -c "import wheel" 2>/dev/null || "$python" -m pip install --quiet "wheel>=0.40"
build="$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown) $(date -u +%Y-%m-%dT%H:%M:%SZ)"
trap 'rm -f edge/BUILD' EXIT
printf '%s\n' "$build" > edge/BUILD
"$python" -m pip wheel --quiet --no-deps --no-build-isolation -w dist .
ls -1 dist/donthu-*.whl | tail -1
