#!/usr/bin/env bash
# Set-up: Python environment, offline map assets (npm registry) and the third-party data.
# Idempotent; safe to run again. PETA_DATA_SOURCE overrides the data source (default ../shared/data).
set -euo pipefail
cd "$(dirname "$0")/.."
requirements=${1:-requirements.txt}

if [ ! -x .venv/bin/python ]; then
  "${PYTHON:-python3}" -m venv .venv
fi
.venv/bin/pip install --quiet --disable-pip-version-check -r "$requirements"

npm ci --prefix assets --no-audit --no-fund --loglevel=error >/dev/null
.venv/bin/python -m layers.assets
.venv/bin/python -m geo.install
