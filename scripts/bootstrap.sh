#!/usr/bin/env bash
# Creates .venv with every pinned dependency. mysqlclient compiles against the
# MySQL/MariaDB client headers: when they (or a compiler) are missing, they are
# installed with apt-get if we are root, or named for you to install.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

missing=()
"$PYTHON" -c "import ensurepip, venv" 2>/dev/null || missing+=(python3-venv)
"$PYTHON" -c "import os, sysconfig; assert os.path.exists(os.path.join(sysconfig.get_paths()['include'], 'Python.h'))" 2>/dev/null \
  || missing+=(python3-dev)
command -v cc >/dev/null 2>&1 || missing+=(build-essential)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
if ! pkg-config --exists mysqlclient 2>/dev/null && ! pkg-config --exists libmariadb 2>/dev/null; then
  missing+=(default-libmysqlclient-dev)
fi

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "Missing system packages. Install them first, then run make again:" >&2
    echo "    sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
# The PDF documents' fonts (Arabic, Chinese, Japanese ...), into .venv/share/billing-fonts.
scripts/fonts.sh
