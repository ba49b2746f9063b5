#!/usr/bin/env bash
# Peak memory and time of merging Auth0's password export into its user export (dry run),
# default 1,000,000 users and as many hashes. Usage: benches/auth0_merge.sh [USERS]
set -euo pipefail
cd "$(dirname "$0")/.."
users=${1:-1000000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --locked --release --quiet --bin migrate --example generate_users
target/release/examples/generate_users "$users" "$work/users.ndjson" auth0-ndjson
target/release/examples/generate_users "$users" "$work/passwords.json" auth0-passwords-ndjson
run() {
  /usr/bin/time -f '%e %M' -o "$work/rss" target/release/migrate -y --dry-run --json -t auth0 \
    -f "$work/users.ndjson" --log-dir "$work/logs" "$@" > "$work/report.json" || true
  tail -n 1 "$work/rss"
}
read -r base_secs base_rss < <(run)
read -r secs rss < <(run --auth0-passwords "$work/passwords.json")
python3 - "$work/report.json" "$users" "$base_secs" "$base_rss" "$secs" "$rss" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
users = int(sys.argv[2]); bs, br, s, rss = float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
m = r["auth0_passwords"]
print(f"users / hashes:   {users:,} / {m['records']:,}")
print(f"merged:           {m['merged']:,} (unmatched {m['unmatched']:,}, users without hash {m['users_without_hash']:,})")
print(f"without merge:    {bs:.2f} s, peak RSS {br/1024:.1f} MiB")
print(f"with merge:       {s:.2f} s, peak RSS {rss/1024:.1f} MiB")
PY
