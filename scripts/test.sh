#!/usr/bin/env bash
# One command: set everything up (including Debian's chromium for the browser tests), then run the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh requirements-test.txt

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
fi

exec .venv/bin/python -m pytest "$@"
