#!/usr/bin/env bash
# Prints what a browser downloads for the home page: JS + WASM (+ CSS), raw and gzip.
# Budget: JS + WASM <= 150 KB gzip (see docs/benchmarks.md).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT/target/site/pkg" || die "no release build: run scripts/build.sh"

total=0
printf '%-28s %10s %10s\n' file bytes gzip
for f in rbay.js rbay_bg.wasm rbay.wasm rbay.css; do
  [ -f "$f" ] || continue
  raw=$(stat -c %s "$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  printf '%-28s %10d %10d\n' "$f" "$raw" "$gz"
  case "$f" in *.js|*.wasm) total=$((total + gz)) ;; esac
done
kb=$(( (total + 1023) / 1024 ))
echo "JS + WASM gzip: $total bytes ($kb KB); budget 150 KB"
if [ "$kb" -gt 150 ]; then
  echo "over budget" >&2
  exit 1
fi
