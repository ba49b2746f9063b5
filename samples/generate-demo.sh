#!/usr/bin/env bash
# Makes samples/demo.ndjson and samples/demo.passwords.csv: 37 Auth0 records, 25 of them with
# bcrypt hashes made by bcryptjs 3.0.3 (cost 10, as Auth0 writes them) for the password in the
# CSV, and seven records with the problems real exports have. Run by hand (needs npm).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm init -y >/dev/null && npm pkg set type=module >/dev/null \
  && npm install --silent bcryptjs@3.0.3 >/dev/null)
cp "$here/gen-demo.mjs" "$work/"
(cd "$work" && node gen-demo.mjs "$here/demo.ndjson")
