#!/usr/bin/env bash
# Peak memory of `migrate export supabase` on rows whose metadata is huge: ROWS users
# (default 120) with SIZE_MB of raw_user_meta_data each (default 20), plus one row over
# the import's 64 MiB record cap, which must be left out as too_large (exit 3).
# Usage: benches/export_large_rows.sh [ROWS] [SIZE_MB]   (needs ../shared beside the checkout)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-120}
size=${2:-20}
cargo build --locked --release --quiet --bin migrate
scripts/test-db.sh bash -c '
  set -euo pipefail
  rows='"$rows"'; size='"$size"'
  psql "$MIGRATE_TEST_PG_URL" -qc "CREATE DATABASE bench"
  url="${MIGRATE_TEST_PG_URL%/*}/bench"
  psql "$url" -q -v ON_ERROR_STOP=1 -f ../shared/platforms/supabase-auth.sql >/dev/null
  psql "$url" -q -v ON_ERROR_STOP=1 <<SQL
INSERT INTO auth.users (id, aud, role, email, encrypted_password, email_confirmed_at,
  raw_user_meta_data, created_at, updated_at)
SELECT gen_random_uuid(), '"'"'authenticated'"'"', '"'"'authenticated'"'"', '"'"'big'"'"' || i || '"'"'@example.com'"'"', '"'"''"'"', now(),
  jsonb_build_object('"'"'blob'"'"', repeat(md5(i::text), $size * 1024 * 1024 / 32)), now(), now()
FROM generate_series(1, $rows) AS i;
INSERT INTO auth.users (id, aud, role, email, encrypted_password, email_confirmed_at,
  raw_user_meta_data, created_at, updated_at)
VALUES (gen_random_uuid(), '"'"'authenticated'"'"', '"'"'authenticated'"'"', '"'"'huge@example.com'"'"', '"'"''"'"', now(),
  jsonb_build_object('"'"'blob'"'"', repeat('"'"'x'"'"', 70 * 1024 * 1024)), now(), now());
SQL
  out=$(mktemp -d)
  set +e
  /usr/bin/time -f "%e %M" -o "$out/time" target/release/migrate export supabase --db-url "$url" \
    --json -o "$out/users.ndjson" > "$out/report.json"
  code=$?
  set -e
  read -r secs rss < <(tail -n 1 "$out/time")
  python3 - "$out/report.json" "$secs" "$rss" "$(stat -c %s "$out/users.ndjson")" "$code" <<PY
import json, sys
r = json.load(open(sys.argv[1])); secs, rss, size, code = float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
total = r["total"]; left = [u["reason"].split(":")[0] for u in r["unreadable"]]
print(f"exported:    {total:,} users, {size/1e6:,.0f} MB in {secs:.1f} s, exit {code}")
print(f"left out:    {left}")
print(f"peak RSS:    {rss/1024:.1f} MiB")
PY
  rm -rf "$out"
'
