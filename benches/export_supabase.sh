#!/usr/bin/env bash
# Throughput and peak memory of `migrate export supabase` on a local PostgreSQL holding
# Supabase's auth schema and USERS generated rows (default 1,000,000), each with an email
# identity. Usage: benches/export_supabase.sh [USERS]   (needs ../shared beside the checkout)
set -euo pipefail
cd "$(dirname "$0")/.."
users=${1:-1000000}
cargo build --locked --release --quiet --bin migrate
scripts/test-db.sh bash -c '
  set -euo pipefail
  users='"$users"'
  psql "$MIGRATE_TEST_PG_URL" -qc "CREATE DATABASE bench"
  url="${MIGRATE_TEST_PG_URL%/*}/bench"
  psql "$url" -q -v ON_ERROR_STOP=1 -f ../shared/platforms/supabase-auth.sql >/dev/null
  psql "$url" -q -v ON_ERROR_STOP=1 <<SQL
INSERT INTO auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
  raw_app_meta_data, raw_user_meta_data, created_at, updated_at, is_anonymous)
SELECT '"'"'00000000-0000-0000-0000-000000000000'"'"'::uuid, gen_random_uuid(), '"'"'authenticated'"'"', '"'"'authenticated'"'"',
  '"'"'user'"'"' || i || '"'"'@example.com'"'"',
  '"'"'\$2a\$10\$W1uZf6zwK208CVvnjF9c9.An9oLmQtIlAiWO6s40kU8PEyGgUtZnS'"'"', now(),
  '"'"'{"provider":"email","providers":["email"]}'"'"', jsonb_build_object('"'"'full_name'"'"', '"'"'User '"'"' || i),
  now() - (i || '"'"' seconds'"'"')::interval, now(), false
FROM generate_series(1, $users) AS i;
INSERT INTO auth.identities (provider_id, user_id, identity_data, provider, created_at, updated_at)
SELECT id::text, id, jsonb_build_object('"'"'sub'"'"', id::text, '"'"'email'"'"', email), '"'"'email'"'"', now(), now() FROM auth.users;
VACUUM ANALYZE;
SQL
  out=$(mktemp -d)
  /usr/bin/time -f "%e %M %U %S" -o "$out/time" target/release/migrate export supabase --db-url "$url" \
    --json -o "$out/users.ndjson" > "$out/report.json"
  read -r secs rss usr sys < "$out/time"
  echo "migrate CPU: user ${usr}s, system ${sys}s"
  python3 - "$out/report.json" "$secs" "$rss" "$(stat -c %s "$out/users.ndjson")" <<PY
import json, sys
r = json.load(open(sys.argv[1])); secs, rss, size = float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
t = r["total"]
print(f"exported:    {t:,} users, {size/1e6:.0f} MB")
print(f"elapsed:     {secs:.1f} s, {t/secs:,.0f} rows/s")
print(f"peak RSS:    {rss/1024:.1f} MiB")
PY
  rm -rf "$out"
'
