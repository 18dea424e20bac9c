#!/usr/bin/env bash
# Release build of the server and the WASM bundle, then gzip the bundle once so the server
# can send `.gz` files without compressing on every request.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
say "building release (server + WASM)"
cargo leptos build --release --split
find target/site/pkg -type f \( -name '*.js' -o -name '*.wasm' -o -name '*.css' \) \
  -exec gzip -9 -k -f {} \;
