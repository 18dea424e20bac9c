#!/usr/bin/env bash
# Prints what a browser downloads for the home page: JS + WASM (+ CSS), raw and gzip, and the
# lazily loaded island chunks that only pages using those islands fetch.
# Budget: home page JS + WASM <= 150 KB gzip (see docs/benchmarks.md).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT/target/site/pkg" || die "no release build: run scripts/build.sh"

gz() { gzip -9 -c "$1" | wc -c; }
total=0
printf '%-58s %9s %9s\n' "home page" bytes gzip
# Lazy islands the home page itself uses (their chunks load with it).
HOME_LAZY="live_prices"
home_files=(rbay.js rbay.wasm __wasm_split*.js)
for island in $HOME_LAZY; do home_files+=(split_"$island"_loader_*.wasm); done
for f in "${home_files[@]}" rbay.css; do
  [ -f "$f" ] || continue
  printf '%-58s %9d %9d\n' "$f" "$(stat -c %s "$f")" "$(gz "$f")"
  case "$f" in *.js|*.wasm) total=$((total + $(gz "$f"))) ;; esac
done
echo
printf '%-58s %9s %9s\n' "lazy island chunks (loaded by the pages that use them)" bytes gzip
for f in split_*.wasm; do
  [ -f "$f" ] || continue
  for island in $HOME_LAZY; do [[ "$f" == split_"$island"_* ]] && continue 2; done
  printf '%-58s %9d %9d\n' "$f" "$(stat -c %s "$f")" "$(gz "$f")"
done
kb=$(( (total + 1023) / 1024 ))
echo
echo "Home page JS + WASM gzip: $total bytes ($kb KB); budget 150 KB"
if [ "$kb" -gt 150 ]; then
  echo "over budget" >&2
  exit 1
fi
