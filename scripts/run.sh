#!/usr/bin/env bash
# One command: set everything up, then start the dashboard on http://localhost:8501.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/streamlit run app.py "$@"
