#!/usr/bin/env bash
# Release build of the server and the WASM bundle, then gzip the bundle once so the server
# can send `.gz` files without compressing on every request.
#
#   scripts/build.sh            the release build (what the tests and the fleet run)
#   scripts/build.sh --deploy   also the server to deploy: the same code with whole-program
#                               (fat) LTO in one codegen unit, into target/deploy/release/rbay.
#                               About 6 MiB less resident code, for a build of ~20 minutes
#                               instead of ~8 (docs/deploy.md); scripts/bench.sh measures it
#                               when it is there and not older than the release build.
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
if [ "${1:-}" = "--deploy" ]; then
  say "building the server to deploy (whole-program LTO; about 20 minutes)"
  LEPTOS_BIN_TARGET_DIR=target/deploy CARGO_PROFILE_RELEASE_LTO=fat \
    CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 cargo leptos build --release --split --server-only
  [ -x target/deploy/release/rbay ] || die "the deploy build left no target/deploy/release/rbay"
fi
