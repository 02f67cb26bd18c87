#!/usr/bin/env bash
# A local PostgreSQL + PostGIS for the tests and CI, from Debian's packages: a project-local cluster in
# build/pg (git-ignored) listening on 127.0.0.1:55432 only, with database peta_test and the postgis
# extension. Idempotent: installs, initialises, starts and creates only what is missing. Prints the URL
# (what PETA_TEST_PG_URL or PETA_STORE_URL take). Runs as root (CI: the cluster then belongs to the
# postgres user, as initdb refuses root) or as a user with sudo for the package install.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_VERSION=15
PORT=55432
DATABASE=peta_test
ROLE=peta
PASSWORD=peta  # a throwaway test cluster reachable from this machine only
BIN=/usr/lib/postgresql/$PG_VERSION/bin
ROOT=$PWD/build/pg
DATA=$ROOT/data

sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
if [ ! -f /usr/share/postgresql/$PG_VERSION/extension/postgis.control ]; then
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-$PG_VERSION-postgis-3 >/dev/null
fi

# The server runs as the invoking user, or as postgres when that is root.
as_owner=()
mkdir -p "$ROOT"
if [ "$(id -u)" = 0 ]; then
  chown postgres:postgres "$ROOT"
  as_owner=(runuser -u postgres --)
fi

if [ ! -f "$DATA/PG_VERSION" ]; then
  pwfile=$(mktemp "$ROOT/pw.XXXXXX")
  echo "$PASSWORD" >"$pwfile"
  [ "$(id -u)" = 0 ] && chown postgres "$pwfile"
  "${as_owner[@]}" "$BIN/initdb" -D "$DATA" -U "$ROLE" --pwfile="$pwfile" --auth=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >"$ROOT/initdb.log"
  rm -f "$pwfile"
  # TCP on the loopback only; no Unix socket, so no shared /var/run/postgresql is needed.
  printf "listen_addresses = '127.0.0.1'\nport = %s\nunix_socket_directories = ''\n" "$PORT" \
    | "${as_owner[@]}" tee -a "$DATA/postgresql.conf" >/dev/null
fi

# A server already answering on the port (e.g. another checkout's test cluster) is used as it is.
if ! "${as_owner[@]}" "$BIN/pg_ctl" -D "$DATA" status >/dev/null && ! "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT"; then
  "${as_owner[@]}" "$BIN/pg_ctl" -D "$DATA" -l "$ROOT/server.log" -w -t 60 start >/dev/null
fi

export PGPASSWORD=$PASSWORD
psql=("$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U "$ROLE")
if [ -z "$("${psql[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'")" ]; then
  "${psql[@]}" -d postgres -c "CREATE DATABASE $DATABASE"
fi
"${psql[@]}" -d "$DATABASE" -c "CREATE EXTENSION IF NOT EXISTS postgis"

echo "postgresql+psycopg://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DATABASE"
