#!/usr/bin/env bash
# Runs a command with throwaway database servers for the export tests, then removes them.
#
#   scripts/test-db.sh cargo test --locked
#
# Starts PostgreSQL (Debian's `postgresql`) and MariaDB (Debian's `mariadb-server`), each
# installed when absent (as root), in a temporary directory on free loopback ports; exports
# their URLs as MIGRATE_TEST_PG_URL and MIGRATE_TEST_MYSQL_URL (and MIGRATE_TEST_DBS=1),
# runs the command, and stops
# and deletes both servers on exit, whatever the command's outcome.
set -euo pipefail

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

updated=
install() { # package, service
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test-db: installing Debian's $1 package" >&2
    [ -n "$updated" ] || apt-get update -qq >/dev/null
    updated=1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null
    # The package may start a system server we do not use.
    service "$2" stop >/dev/null 2>&1 || true
  else
    echo "test-db: $1 is not installed: apt-get install $1 (as root)" >&2
    exit 1
  fi
}
[ -n "$(pg_bin)" ] || install postgresql postgresql
command -v mariadbd >/dev/null 2>&1 || install mariadb-server mariadb
bin=$(pg_bin)

work=$(mktemp -d "${TMPDIR:-/tmp}/migrate-test-db.XXXXXX")
chmod 755 "$work"
pgdata=$work/pg
mkdir "$pgdata"
[ "$(id -u)" = 0 ] && chown postgres "$pgdata"
mydata=$work/mysql
cleanup() {
  as_postgres "$bin/pg_ctl" -D "$pgdata" -m immediate stop >/dev/null 2>&1 || true
  if [ -f "$mydata/server.pid" ]; then
    kill "$(cat "$mydata/server.pid")" 2>/dev/null || true
    for _ in $(seq 50); do [ -f "$mydata/server.pid" ] || break; sleep 0.1; done
  fi
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

# MariaDB: a throwaway data directory, a user with a password (so tests see it hidden).
mkdir "$mydata"
as_mysql() { if [ "$(id -u)" = 0 ]; then echo --user=mysql; else echo --user="$(id -un)"; fi; }
[ "$(id -u)" = 0 ] && chown mysql "$mydata"
mariadb-install-db "$(as_mysql)" --datadir="$mydata" --auth-root-authentication-method=normal \
  --skip-test-db >"$work/mysql-install.log" 2>&1 || {
  echo "test-db: mariadb-install-db failed:" >&2
  tail -n 20 "$work/mysql-install.log" >&2
  exit 1
}
started=
for _ in 1 2 3 4 5; do
  myport=$((20000 + RANDOM % 30000))
  mariadbd --no-defaults "$(as_mysql)" --datadir="$mydata" --socket="$mydata/mysql.sock" \
    --port="$myport" --bind-address=127.0.0.1 --pid-file="$mydata/server.pid" \
    --skip-log-bin --innodb-flush-log-at-trx-commit=0 --character-set-server=utf8mb4 \
    --collation-server=utf8mb4_unicode_ci >"$work/mysql.log" 2>&1 &
  for _ in $(seq 100); do
    if mariadb --no-defaults -uroot --socket="$mydata/mysql.sock" -e "SELECT 1" >/dev/null 2>&1; then
      started=1
      break 2
    fi
    kill -0 $! 2>/dev/null || break
    sleep 0.1
  done
done
if [ -z "$started" ]; then
  echo "test-db: MariaDB did not start:" >&2
  tail -n 20 "$work/mysql.log" >&2 || true
  exit 1
fi
mariadb --no-defaults -uroot --socket="$mydata/mysql.sock" -e \
  "CREATE USER 'migrate'@'%' IDENTIFIED BY 'test-db-pass'; GRANT ALL ON *.* TO 'migrate'@'%' WITH GRANT OPTION;"
export MIGRATE_TEST_MYSQL_URL="mysql://migrate:test-db-pass@127.0.0.1:$myport/mysql"
echo "test-db: MariaDB $(mariadbd --version | awk '{print $3}') on 127.0.0.1:$myport" >&2

# A constant beside the URLs: build.rs marks the database tests ignored when it is absent
# (their URLs change each run, so they cannot be what the build looks at).
export MIGRATE_TEST_DBS=1

set +e
"$@"
status=$?
set -e
exit $status
