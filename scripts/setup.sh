#!/usr/bin/env bash
# Set-up: Python environment, offline map assets (npm registry) and the third-party data.
# Idempotent; safe to run again, and a second run skips what is already in place. PETA_DATA_SOURCE overrides the
# data source (default ../shared/data).
set -euo pipefail
cd "$(dirname "$0")/.."
requirements=${1:-requirements.txt}

if [ ! -x .venv/bin/python ]; then
  "${PYTHON:-python3}" -m venv .venv
fi
# pip install with every pin satisfied still resolves for a while: skip it when these requirement files (the one
# named and the ones it includes) were installed last into this environment.
pins=$(cat "$requirements" requirements.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat .venv/.peta-requirements 2>/dev/null)" != "$pins" ]; then
  .venv/bin/pip install --quiet --disable-pip-version-check -r "$requirements"
  echo "$pins" >.venv/.peta-requirements
fi

# npm ci empties node_modules and reinstalls: only when the lock file changed since the last install.
if ! cmp -s assets/package-lock.json assets/node_modules/.peta-package-lock.json; then
  npm ci --prefix assets --no-audit --no-fund --loglevel=error >/dev/null
  cp assets/package-lock.json assets/node_modules/.peta-package-lock.json
fi
.venv/bin/python -m layers.assets
# The data is validated and copied only when the source's or the installed files differ from what
# data/INSTALLED.json (geo.install's manifest) records; importing geo.install alone would take seconds.
if ! .venv/bin/python -c '
import hashlib, json, sys
from geo import config
from geo.sources import FILES
source, target = config.data_source(), config.data_dir()
names = [f"{folder}/{name}" for folder, files in FILES.items() for name in files]
sha = lambda path: hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
try:
    manifest = json.loads((target / "INSTALLED.json").read_text(encoding="utf-8"))
except (OSError, ValueError):
    sys.exit(1)
sys.exit(0 if manifest.get("source") == str(source) and manifest.get("files") == {n: sha(source / n) for n in names}
         and all(sha(target / n) == manifest["files"][n] for n in names) else 1)
' 2>/dev/null; then
  .venv/bin/python -m geo.install
fi
