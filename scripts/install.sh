#!/usr/bin/env bash
# Install everything the project needs on Debian 12 (run as root), into ./.venv.
#   bash scripts/install.sh          # runtime
#   bash scripts/install.sh --test   # runtime + what the tests need
#   bash scripts/install.sh --hub    # a production city hub (scripts/install_role.py)
#   bash scripts/install.sh --kiosk  # a production kiosk appliance
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
role=""
case "${1:-}" in
  --test) want_test=1 ;;
  --hub) role=hub; shift ;;
  --kiosk) role=kiosk; shift ;;
esac

packages=(
  python3 python3-venv python3-dev
  tesseract-ocr tesseract-ocr-vie
  mosquitto mosquitto-clients
  sane-utils libsane1
  fonts-dejavu-core fonts-liberation fonts-liberation2
  cups-client  # lp: the kiosk's receipt printer
)
# The screens' tests drive a real browser: Debian's Chromium (Playwright cannot download its own here).
[ $want_test = 1 ] && packages+=(chromium)
# Handwritten-page tests and bench (samplegen/handwriting.py) write petitions in these hands;
# Andika is the typed font their fit never sees.
[ $want_test = 1 ] && packages+=(fonts-seto fonts-dkg-handwriting fonts-breip fonts-dancingscript
  fonts-kristi fonts-femkeklaver fonts-sjfonts fonts-klee fonts-tlwg-purisa-otf fonts-humor-sans
  fonts-sil-andika)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # Debian's mosquitto package would start a system broker on port 1883; ours runs with its own config.
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ -n "$role" ]; then
  # /opt/donthu/.venv, users, directories, units, and on the hub the broker and a panel user.
  exec python3 scripts/install_role.py "$role" "$@"
fi

python=python3
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
if [ $want_test = 1 ]; then
  .venv/bin/python -m pip install -q -e ".[test]"
else
  .venv/bin/python -m pip install -q -e .
fi
# The services run with ProtectSystem=strict: Python cannot write the bytecode of the project's own
# (editable) modules next to them, and would compile them again at every start.
.venv/bin/python -m compileall -q edge hub samplegen >/dev/null
echo "==> installed: $(.venv/bin/python --version), tesseract $(tesseract --version 2>&1 | head -1 | cut -d' ' -f2)"
