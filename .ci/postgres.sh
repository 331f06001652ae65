#!/usr/bin/env bash
# Start a throwaway PostgreSQL server for the tests and print its DSN on stdout (one line).
#
#   export PLANPARSE_TEST_PG_DSN="$(bash .ci/postgres.sh)"
#
# - installs the Debian package `postgresql` when no server binaries are found (as root, unless
#   PLANPARSE_PG_NO_INSTALL=1);
# - initdb/pg_ctl refuse to run as root: as root they run as the `postgres` user;
# - data directory in a new temp folder, listening on 127.0.0.1 only, on a free port, trust auth,
#   durability off (fsync/full_page_writes) since the data is thrown away;
# - the folder holds `stop.sh` (stops the server and removes the folder); its path is printed on
#   stderr and written to $PLANPARSE_PG_STATE if that variable names a file.
# Exit codes: 0 started; 3 no PostgreSQL binaries (and not installed); 1 anything else.
set -euo pipefail

find_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ]; then echo "$d"; return 0; fi
  done
  if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then dirname "$(command -v initdb)"; return 0; fi
  return 1
}

BINDIR="$(find_bindir || true)"
if [ -z "$BINDIR" ]; then
  if [ "${PLANPARSE_PG_NO_INSTALL:-0}" != "1" ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "postgres.sh: installing Debian package postgresql" >&2
    export DEBIAN_FRONTEND=noninteractive
    (apt-get update -qq && apt-get install -y -qq postgresql) >&2
    BINDIR="$(find_bindir || true)"
  fi
fi
if [ -z "$BINDIR" ]; then
  echo "postgres.sh: no PostgreSQL server binaries (initdb, pg_ctl) found; install the Debian package postgresql" >&2
  exit 3
fi

RUNAS=()
if [ "$(id -u)" = "0" ]; then
  if ! id postgres >/dev/null 2>&1; then
    echo "postgres.sh: running as root but there is no 'postgres' user to run the server as" >&2
    exit 1
  fi
  if command -v runuser >/dev/null; then RUNAS=(runuser -u postgres --); else RUNAS=(su postgres -s /bin/sh -c); fi
fi
run() {
  if [ "${#RUNAS[@]}" -eq 0 ]; then "$@"
  elif [ "${RUNAS[0]}" = "runuser" ]; then "${RUNAS[@]}" "$@"
  else "${RUNAS[@]}" "$(printf '%q ' "$@")"
  fi
}

DIR="$(mktemp -d "${TMPDIR:-/tmp}/planparse-pg.XXXXXX")"
chmod 755 "$DIR"
[ "${#RUNAS[@]}" -eq 0 ] || chown postgres: "$DIR"

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
SUPERUSER=postgres
run "$BINDIR/initdb" -D "$DIR/data" -U "$SUPERUSER" --auth=trust -E UTF8 --locale=C.UTF-8 -N >"$DIR/initdb.log" 2>&1 \
  || run "$BINDIR/initdb" -D "$DIR/data" -U "$SUPERUSER" --auth=trust -E UTF8 --locale=C -N >"$DIR/initdb.log" 2>&1 \
  || { echo "postgres.sh: initdb failed:" >&2; cat "$DIR/initdb.log" >&2; exit 1; }

OPTS="-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50 -c shared_buffers=128MB"
if ! run "$BINDIR/pg_ctl" -D "$DIR/data" -o "$OPTS" -l "$DIR/server.log" -w -t 60 start >"$DIR/pg_ctl.log" 2>&1; then
  echo "postgres.sh: the server did not start:" >&2
  cat "$DIR/pg_ctl.log" "$DIR/server.log" >&2 || true
  exit 1
fi

cat >"$DIR/stop.sh" <<STOP
#!/usr/bin/env bash
# stop the server started by .ci/postgres.sh and remove its folder
$( [ "${#RUNAS[@]}" -eq 0 ] && echo "" || echo "if [ \"\$(id -u)\" = 0 ]; then R=(runuser -u postgres --); else R=(); fi" )
\${R[@]+"\${R[@]}"} "$BINDIR/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
rm -rf "$DIR"
STOP
chmod +x "$DIR/stop.sh"

DB=planparse_test
run "$BINDIR/psql" -h 127.0.0.1 -p "$PORT" -U "$SUPERUSER" -d postgres -v ON_ERROR_STOP=1 -qc "CREATE DATABASE $DB" >/dev/null 2>&1 \
  || psql -h 127.0.0.1 -p "$PORT" -U "$SUPERUSER" -d postgres -v ON_ERROR_STOP=1 -qc "CREATE DATABASE $DB" >/dev/null

echo "postgres.sh: PostgreSQL $("$BINDIR/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT, data in $DIR (stop: bash $DIR/stop.sh)" >&2
[ -z "${PLANPARSE_PG_STATE:-}" ] || echo "$DIR" >"$PLANPARSE_PG_STATE"
echo "postgresql://$SUPERUSER@127.0.0.1:$PORT/$DB"
