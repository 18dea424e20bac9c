#!/usr/bin/env bash
# Benchmarks against a release server on its own Redis namespace. Prints numbers; asserts
# nothing. Needs: scripts/build.sh done, Redis running (scripts/redis.sh start-test or REDIS_URL).
#   scripts/bench.sh            pages: home and item page under wrk, server memory
#   scripts/bench.sh hostile    memory under attack: 1,000 concurrent sign-ins, 20,000 live
#                               streams of unknown items, a photo decompression bomb
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null; }

export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:$REDIS_TEST_PORT}"
export LEPTOS_SITE_ROOT="$ROOT/target/site"
export RUST_LOG=warn
PORT="${RBAY_BENCH_PORT:-3300}"
export RBAY_ADDR="127.0.0.1:$PORT"
URL="http://$RBAY_ADDR"

server=""
start_server() {
  export RBAY_KEY_PREFIX="bench$$-$1:"
  target/release/rbay >/dev/null 2>&1 &
  server=$!
  for _ in $(seq 1 100); do curl -sf "$URL/healthz" >/dev/null && return; sleep 0.1; done
  die "the server did not start"
}
stop_server() { [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null; server=""; }
trap stop_server EXIT
# Peak and current resident memory of the server, from the kernel's own bookkeeping.
memory() {
  awk '/VmHWM/ {hwm=$2} /VmRSS/ {rss=$2} END {printf "peak %.1f MiB, now %.1f MiB", hwm/1024, rss/1024}' "/proc/$server/status"
}

pages() {
  start_server pages
  target/release/rbay seed --users 12 --items 48 2>/dev/null
  run() {
    echo "== $1"
    wrk -t2 -c32 -d"${RBAY_BENCH_SECONDS:-20}"s --latency "$URL$2" | grep -E "Requests/sec|  50%|  99%|Non-2xx|Socket errors"
  }
  run "home page /" /
  # An item page: every request counts a view for the same anonymous visitor (no cookie),
  # i.e. the HyperLogLog path without a new visitor, plus similar items.
  run "item page /items/1" /items/1
  echo "== server memory: $(memory)"
  stop_server
}

hostile() {
  local limits="RBAY_AUTH_IP_LIMIT=100000/60 RBAY_AUTH_USER_LIMIT=100000/60"
  export RBAY_AUTH_IP_LIMIT=100000/60 RBAY_AUTH_USER_LIMIT=100000/60
  start_server signins
  for i in $(seq 0 49); do
    curl -s -o /dev/null -X POST "$URL/api/auth/signup" -H 'Accept: application/json' \
      -H "Origin: $URL" -d "username=crowd$i&password=long-enough-pw&confirm=long-enough-pw"
  done
  echo "== 1,000 concurrent sign-ins ($limits)"
  python3 scripts/hostile_load.py "$URL" signins 1000
  echo "   server memory: $(memory)"
  stop_server

  start_server streams
  echo "== 20,000 live streams of unknown items"
  python3 scripts/hostile_load.py "$URL" streams 20000
  echo "   server memory: $(memory)"
  stop_server

  start_server bomb
  local cookie
  cookie=$(curl -s -D - -o /dev/null -X POST "$URL/api/auth/signup" -H 'Accept: application/json' \
    -H "Origin: $URL" -d 'username=bomber&password=long-enough-pw&confirm=long-enough-pw' |
    grep -o 'rbay_session=[0-9a-f]*')
  echo "== photo decompression bomb"
  python3 scripts/hostile_load.py "$URL" bomb "$cookie"
  echo "   server memory: $(memory)"
  stop_server
}

case "${1:-pages}" in
  pages) pages ;;
  hostile) hostile ;;
  *) die "usage: scripts/bench.sh [pages|hostile]" ;;
esac
