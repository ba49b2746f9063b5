#!/usr/bin/env bash
# Dry-run throughput and peak memory on a generated file (default 1,000,000 users).
# Usage: benches/dry_run.sh [USERS] [clerk-json|clerk-csv|auth0-ndjson]
set -euo pipefail
cd "$(dirname "$0")/.."
users=${1:-1000000}
kind=${2:-clerk-json}
transformer=${kind%%-*}
ext=${kind##*-}; [ "$ext" = csv ] || [ "$ext" = ndjson ] || ext=json
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --locked --release --quiet --bin migrate --example generate_users
target/release/examples/generate_users "$users" "$work/users.$ext" "$kind"
size=$(stat -c %s "$work/users.$ext")
/usr/bin/time -f '%e %M' -o "$work/rss" target/release/migrate -y --dry-run --json -t "$transformer" \
  -f "$work/users.$ext" --log-dir "$work/logs" > "$work/report.json" || true
read -r secs rss_kib < <(tail -n 1 "$work/rss")
python3 - "$work/report.json" "$users" "$secs" "$rss_kib" "$size" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
users, secs, rss, size = int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
print(f"file:        {size/1e6:.1f} MB, {users} users")
print(f"report:      total {report['total']}, ready {report['ready']}, invalid {report['invalid']}")
print(f"elapsed:     {secs:.2f} s")
print(f"throughput:  {users/secs:,.0f} users/s")
print(f"peak RSS:    {rss/1024:.1f} MiB")
PY
