#!/usr/bin/env bash
# Start N app servers on one PostGIS register, on ports 8501..8500+N (PETA_REPLICA_PORT sets the first), for
# deploy/nginx.conf to balance:
#   PETA_STORE_URL=postgresql+psycopg://user:password@host:5432/db scripts/replicas.sh 3
#   scripts/replicas.sh stop
# Each replica logs to build/replicas/<port>.log; their process ids are in build/replicas/<port>.pid.
# The embedded SQLite register is for one server: more than one needs PETA_STORE_URL.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=build/replicas
mkdir -p "$DIR"

if [ "${1:-}" = stop ]; then
  for pid_file in "$DIR"/*.pid; do
    [ -e "$pid_file" ] || continue
    kill "$(cat "$pid_file")" 2>/dev/null || true
    rm -f "$pid_file"
  done
  exit 0
fi

count=${1:?usage: scripts/replicas.sh N | stop}
case "${PETA_STORE_URL:-}" in
  postgresql*) ;;
  *) echo "PETA_STORE_URL must name the shared PostGIS register (postgresql+psycopg://...)" >&2; exit 2 ;;
esac
# One cookie secret for all, so a browser that moves to another replica (one restarted) keeps a valid XSRF cookie.
export STREAMLIT_SERVER_COOKIE_SECRET=${STREAMLIT_SERVER_COOKIE_SECRET:-$(.venv/bin/python -c 'import secrets; print(secrets.token_hex(32))')}
for i in $(seq 1 "$count"); do
  port=$((${PETA_REPLICA_PORT:-8501} + i - 1))
  .venv/bin/streamlit run app.py --server.port "$port" --server.address 127.0.0.1 >"$DIR/$port.log" 2>&1 &
  echo $! >"$DIR/$port.pid"
  echo "replica on 127.0.0.1:$port (pid $!)"
done
