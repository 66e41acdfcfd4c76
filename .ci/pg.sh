#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for the test suite and the server benchmark.
#
#   source .ci/pg.sh && pg_start   # exports TEST_DATABASE_URL_PG, prints the export line
#   ...                            # run pytest / bench
#   pg_stop                        # stops the cluster and deletes its directory
#
# Or run it: `bash .ci/pg.sh start` (prints the export line; the cluster stays up) and
# `bash .ci/pg.sh stop`. initdb refuses root, so as root the cluster runs as the `postgres`
# user. Port: PG_PORT (default 54329); the data directory and socket live in a temp dir whose
# path is kept in ${PG_STATE_FILE:-/tmp/ct-pg.state}.

PG_PORT="${PG_PORT:-54329}"
PG_STATE_FILE="${PG_STATE_FILE:-/tmp/ct-pg.state}"

_pg_bindir() {
  local dir
  for dir in /usr/local/bin /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
      echo "$dir"
      return 0
    fi
  done
  if command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
    return 0
  fi
  return 1
}

_pg_as_owner() {
  # Run a command as the cluster owner: `postgres` when we are root, else ourselves.
  if [ "$(id -u)" = "0" ]; then
    if command -v runuser >/dev/null 2>&1; then
      runuser -u postgres -- "$@"
    else
      su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
    fi
  else
    "$@"
  fi
}

pg_start() {
  local bindir tmp
  if ! bindir="$(_pg_bindir)"; then
    echo "pg.sh: PostgreSQL binaries (initdb, pg_ctl) not found" >&2
    return 1
  fi
  if [ -f "$PG_STATE_FILE" ] && [ -d "$(cat "$PG_STATE_FILE")/data" ]; then
    pg_stop >/dev/null 2>&1 || true
  fi
  tmp="$(mktemp -d /tmp/ct-pg.XXXXXX)"
  chmod 755 "$tmp"
  if [ "$(id -u)" = "0" ]; then chown postgres: "$tmp"; fi
  if ! _pg_as_owner "$bindir/initdb" -D "$tmp/data" -U postgres --auth=trust -E UTF8 --no-sync >"$tmp/initdb.log" 2>&1; then
    echo "pg.sh: initdb failed:" >&2
    cat "$tmp/initdb.log" >&2
    return 1
  fi
  if ! _pg_as_owner "$bindir/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -t 30 \
      -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null; then
    echo "pg.sh: pg_ctl start failed:" >&2
    cat "$tmp/server.log" >&2
    return 1
  fi
  echo "$tmp" >"$PG_STATE_FILE"
  export PG_CLUSTER_DIR="$tmp"
  export TEST_DATABASE_URL_PG="postgresql+psycopg://postgres@127.0.0.1:${PG_PORT}/postgres"
  echo "$TEST_DATABASE_URL_PG" >"$tmp/url"
  echo "export TEST_DATABASE_URL_PG=$TEST_DATABASE_URL_PG"
}

pg_stop() {
  local bindir tmp
  tmp="${PG_CLUSTER_DIR:-}"
  if [ -z "$tmp" ] && [ -f "$PG_STATE_FILE" ]; then tmp="$(cat "$PG_STATE_FILE")"; fi
  if [ -z "$tmp" ] || [ ! -d "$tmp" ]; then return 0; fi
  if bindir="$(_pg_bindir)" && [ -d "$tmp/data" ]; then
    _pg_as_owner "$bindir/pg_ctl" -D "$tmp/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
  rm -f "$PG_STATE_FILE"
  unset PG_CLUSTER_DIR
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  case "${1:-}" in
    start) pg_start ;;
    stop) pg_stop ;;
    *) echo "usage: bash .ci/pg.sh start|stop   (or: source .ci/pg.sh; pg_start; ...; pg_stop)" >&2; exit 2 ;;
  esac
fi
