#!/usr/bin/env bash
# One command: set everything up (including Debian's chromium for the browser tests), then run the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh requirements-test.txt
scripts/postgis.sh >/dev/null  # local PostgreSQL + PostGIS on 127.0.0.1:55432 for tests/test_store.py

# Debian's chromium for the browser tests, poppler's pdftoppm to look at the briefing PDFs.
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/pdftoppm ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null
fi

# Two processes by default (PETA_TEST_WORKERS=0: one): the browser tests (tests/test_browser*.py) as one unit on one
# of them (one chromium, one shared app server), started first as the longest unit, and every other module whole on
# either (--dist loadgroup, scheduled by tests/conftest.py; --no-loadscope-reorder keeps that order).
exec .venv/bin/python -m pytest -n "${PETA_TEST_WORKERS:-2}" --dist loadgroup --no-loadscope-reorder "$@"
