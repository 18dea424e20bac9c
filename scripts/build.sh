#!/usr/bin/env bash
# Release build of the server and the WASM bundle, then gzip the bundle once so the server
# can send `.gz` files without compressing on every request.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
say "building release (server + WASM)"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
cargo leptos build --release --split 2>&1 | tee "$log"
# cargo-leptos can exit 0 when the browser side failed to compile: read its output too.
if sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -qE '^error(\[E[0-9]+\])?:' || [ ! -f target/site/pkg/rbay.wasm ]; then
  die "the release build failed (see the errors above)"
fi
find target/site/pkg -type f \( -name '*.js' -o -name '*.wasm' -o -name '*.css' \) \
  -exec gzip -9 -k -f {} \;
