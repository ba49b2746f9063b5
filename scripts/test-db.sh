#!/usr/bin/env bash
# Runs a command with throwaway database servers for the export tests, then removes them.
#
#   scripts/test-db.sh cargo test --locked
#
# Starts PostgreSQL (Debian's `postgresql`, installed when absent and run as root) in a
# temporary directory on a free loopback port, exports its URL as MIGRATE_TEST_PG_URL, runs
# the command, and stops and deletes the cluster on exit, whatever the command's outcome.
set -euo pipefail

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

if [ -z "$(pg_bin)" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test-db: installing PostgreSQL (Debian's postgresql package)" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    # The package starts a system cluster we do not use.
    service postgresql stop >/dev/null 2>&1 || true
  else
    echo "test-db: PostgreSQL is not installed: apt-get install postgresql (as root)" >&2
    exit 1
  fi
fi
bin=$(pg_bin)

work=$(mktemp -d "${TMPDIR:-/tmp}/migrate-test-db.XXXXXX")
chmod 755 "$work"
pgdata=$work/pg
mkdir "$pgdata"
[ "$(id -u)" = 0 ] && chown postgres "$pgdata"
cleanup() {
  as_postgres "$bin/pg_ctl" -D "$pgdata" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

as_postgres "$bin/initdb" -D "$pgdata" -A trust -U postgres -E UTF8 >/dev/null
started=
for _ in 1 2 3 4 5; do
  port=$((20000 + RANDOM % 30000))
  if as_postgres "$bin/pg_ctl" -D "$pgdata" -l "$pgdata/server.log" -w -t 30 \
    -o "-p $port -k $pgdata -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null; then
    started=1
    break
  fi
done
if [ -z "$started" ]; then
  echo "test-db: PostgreSQL did not start:" >&2
  tail -n 20 "$pgdata/server.log" >&2 || true
  exit 1
fi
export MIGRATE_TEST_PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
echo "test-db: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2

set +e
"$@"
status=$?
set -e
exit $status
