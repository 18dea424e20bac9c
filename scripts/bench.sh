#!/usr/bin/env bash
# Measures the home and item pages with wrk against a release server on its own Redis
# namespace (seeded with demo data), and the server's memory. Prints numbers; asserts nothing.
# Needs: scripts/build.sh done, Redis running (scripts/redis.sh start-test or REDIS_URL).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null; }

export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:$REDIS_TEST_PORT}"
export RBAY_KEY_PREFIX="bench$$:"
export RBAY_ADDR="127.0.0.1:${RBAY_BENCH_PORT:-3300}"
export LEPTOS_SITE_ROOT="$ROOT/target/site"
export RUST_LOG=warn
target/release/rbay seed --users 12 --items 48 2>/dev/null
target/release/rbay &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 1 50); do curl -sf "http://$RBAY_ADDR/healthz" >/dev/null && break; sleep 0.1; done

run() {
  echo "== $1"
  wrk -t2 -c32 -d"${RBAY_BENCH_SECONDS:-20}"s --latency "http://$RBAY_ADDR$2" | grep -E "Requests/sec|  50%|  99%|Non-2xx|Socket errors"
}
run "home page /" /
# An item page: every request counts a view for the same anonymous visitor (no cookie),
# i.e. the HyperLogLog path without a new visitor, plus similar items.
run "item page /items/1" /items/1
echo "== server RSS after the runs: $(ps -o rss= -p $server | awk '{printf "%.1f MiB", $1/1024}')"
