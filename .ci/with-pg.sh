#!/usr/bin/env bash
# Run a command with a throwaway PostgreSQL cluster when one can be had (used by `make test`).
# - TEST_DATABASE_URL_PG already set (as .ci/run does): run the command as it is.
# - PostgreSQL's initdb/pg_ctl on this machine: start a cluster, run, stop it.
# - Neither: run as it is; the PostgreSQL tests skip with a reason naming what to install.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ -z "${TEST_DATABASE_URL_PG:-}" ]; then
  # shellcheck source=/dev/null
  source .ci/pg.sh
  if _pg_bindir >/dev/null 2>&1; then
    if pg_start >/dev/null; then
      trap pg_stop EXIT
    else
      echo "with-pg.sh: could not start PostgreSQL; its tests will skip" >&2
    fi
  fi
fi
"$@"
