#!/usr/bin/env bash
# The benchmark: a release server on its own Redis namespace, under wrk on the same machine.
# Prints numbers (and a markdown table to paste into docs/benchmarks.md); asserts nothing.
# Needs: scripts/build.sh done, Redis running (scripts/redis.sh start-test or REDIS_URL).
#
#   scripts/bench.sh [SIZE ...]    for each catalogue size (default: 500 5000 50000): seed it
#                                  into its own key prefix, measure the home page, an item
#                                  page (anonymous, with plain wrk and with the signed-in
#                                  runs' client script, and signed in), search (a specific query
#                                  and a broad one), browsing (all, a category) and bids on one hot item from 20 signed-in
#                                  clients, then delete the prefix. Also: seeding time, peak
#                                  server memory over the whole run, Redis CPU per page. Each
#                                  page runs twice anonymous and twice signed in, alternately;
#                                  the better run of each is printed.
#   scripts/bench.sh hostile       memory under attack: 1,000 concurrent sign-ins, 20,000 live
#                                  streams of unknown items, a photo decompression bomb
#   scripts/bench.sh cluster [SIZE] pages and bids at one size (default 5000) on one Redis, then
#                                  on a throwaway 3-primary cluster with a replica each (bids
#                                  wait for a replica), side by side
#   scripts/bench.sh bids [RUNS]   only the hot-item bids, RUNS times (default 5), with the time
#                                  Redis spent in scripts: to compare two builds. With
#                                  RBAY_BENCH_FSYNC=always|everysec the Redis under test writes
#                                  its AOF with that fsync policy for the run (restored after):
#                                  the cost of durable bids
#   scripts/bench.sh streams [N]   idle live streams: N (default 10,000) held open on one item,
#                                  the server's memory per stream, and how soon it is back
#                                  under 48 MiB once they close
#   scripts/bench.sh jobs          the job queue: 50,000 no-op jobs enqueued and run by 4
#                                  workers; jobs/s end to end, lost and doubled runs
#   scripts/bench.sh alerts        saved searches: 10,000 saved, then 100 new listings in a
#                                  minute, each matched as its job does; Redis memory for the
#                                  searches, time and Redis CPU per listing, candidates read
# RBAY_BENCH_SECONDS (default 20) is the length of each wrk run.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null; }

export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:$REDIS_TEST_PORT}"
export LEPTOS_SITE_ROOT="$ROOT/target/site"
export RUST_LOG=warn
# A free port unless one is given (another service may hold any fixed one).
PORT="${RBAY_BENCH_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
export RBAY_ADDR="127.0.0.1:$PORT"
URL="http://$RBAY_ADDR"
SECONDS_EACH="${RBAY_BENCH_SECONDS:-20}"
WORK="$(mktemp -d)"
# The server measured: the deploy build (`scripts/build.sh --deploy`, the binary to run in
# production) when it is there and not older than the release build, else the release build;
# RBAY_BENCH_BIN names another.
RBAY="${RBAY_BENCH_BIN:-target/release/rbay}"
if [ -z "${RBAY_BENCH_BIN:-}" ] && [ -x target/deploy/release/rbay ] \
  && [ ! target/deploy/release/rbay -ot target/release/rbay ]; then
  RBAY=target/deploy/release/rbay
fi
[ -x "$RBAY" ] || die "no server at $RBAY: run scripts/build.sh"
say "server: $RBAY"

server=""
start_server() {
  "$RBAY" >"$WORK/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do curl -sf "$URL/healthz" >/dev/null && return; sleep 0.1; done
  die "the server did not start (see $WORK/server.log)"
}
stop_server() { [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null; server=""; }
cleanup() {
  stop_server
  if [ -n "${RBAY_KEY_PREFIX:-}" ]; then "$RBAY" purge --yes >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
# One Redis command (arguments as words), sent to every node REDIS_URL lists (one, or a
# cluster's nodes); prints each reply as text, in the order of the nodes.
redis_cmd() {
  python3 - "$REDIS_URL" "$@" <<'PY'
import socket, sys, urllib.parse
for url in sys.argv[1].split(","):
    u = urllib.parse.urlparse(url)
    s = socket.create_connection((u.hostname, u.port or 6379))
    args = [a.encode() for a in sys.argv[2:]]
    s.sendall(b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args))
    f = s.makefile("rb")
    def reply():
        line = f.readline()
        if line.startswith(b"$"):
            print(f.read(int(line[1:]) + 2)[:-2].decode())
        elif line.startswith(b"*"):
            for _ in range(max(int(line[1:]), 0)):
                reply()
        else:
            print(line.decode().strip())
    reply()
    s.close()
PY
}
# Peak and current resident memory of the server, from the kernel's own bookkeeping.
memory() {
  awk '/VmHWM/ {hwm=$2} /VmRSS/ {rss=$2} END {printf "peak %.1f MiB, now %.1f MiB", hwm/1024, rss/1024}' "/proc/$server/status"
}
peak_mib() { awk '/VmHWM/ {printf "%.1f", $2/1024}' "/proc/$server/status"; }
# Redis CPU seconds used so far (user + system), from INFO: summed over every node REDIS_URL
# lists (on a cluster, its primaries and replicas).
redis_cpu() {
  python3 - "$REDIS_URL" <<'PY'
import socket, sys, urllib.parse
total = 0.0
for url in sys.argv[1].split(","):
    u = urllib.parse.urlparse(url)
    s = socket.create_connection((u.hostname, u.port or 6379))
    s.sendall(b"INFO cpu\r\n")
    data = b""
    while data.count(b"\r\n") < 2 or b"used_cpu_user:" not in data:
        data += s.recv(65536)
    s.close()
    info = dict(l.split(":", 1) for l in data.decode().splitlines() if ":" in l)
    total += float(info["used_cpu_sys"]) + float(info["used_cpu_user"])
print(total)
PY
}

# Redis' event-loop counters, summed over the nodes: "cycles commands aof-us". Under
# `appendfsync always` each cycle that wrote anything ends in one write and fsync of the AOF, so
# requests per cycle (req/s over cycles/s) is how many bids share an fsync.
event_loop() {
  { redis_cmd INFO stats; redis_cmd INFO debug; } | tr -d '\r' | awk -F: '
    $1 == "eventloop_cycles" {c += $2} $1 == "total_commands_processed" {n += $2}
    $1 == "eventloop_duration_aof_sum" {a += $2} END {print c + 0, n + 0, a + 0}'
}
event_loop_delta() { # before after seconds
  awk -v b="$1" -v a="$2" -v secs="$3" 'BEGIN {
    split(b, x, " "); split(a, y, " "); c = y[1] - x[1]; n = y[2] - x[2]; f = y[3] - x[3]
    printf "Redis event loop: %.0f cycles/s, %.1f commands a cycle (with those scripts run), %.0f ms/s writing and syncing the AOF",
      c / secs, (c > 0 ? n / c : 0), f / 1000 / secs }'
}

# One wrk run: prints "req/s p50 p99 errors redis-cpu%".
measure() {
  local path="$1"; shift
  local before after out
  before=$(redis_cpu)
  out=$(wrk -t2 -c32 -d"${SECONDS_EACH}s" --latency "$@" "$URL$path")
  after=$(redis_cpu)
  awk -v before="$before" -v after="$after" -v secs="$SECONDS_EACH" '
    /Requests\/sec/ {rps=$2}
    /^ +50%/ {p50=$2}
    /^ +99%/ {p99=$2}
    /Non-2xx/ {errors+=$NF}
    /wrong answers:/ {errors+=$3}
    END {printf "%s %s %s %d %.0f%%\n", rps, p50, p99, errors, (after-before)*100/secs}' <<<"$out"
}

# Of two `measure` lines, the one with more req/s, with the errors of both.
better() {
  awk '{ if ($1 + 0 > best + 0) { best = $1; line = $0 } errors += $4 }
    END { split(line, f, " "); print f[1], f[2], f[3], errors, f[5] }' <<<"$(printf '%s\n' "$@")"
}

sign_up() { # name → session cookie
  curl -s -D - -o /dev/null -X POST "$URL/api/auth/signup" -H 'Accept: application/json' \
    -H "Origin: $URL" -d "username=$1&password=long-enough-pw&confirm=long-enough-pw" |
    grep -o 'rbay_session=[0-9]*[.][0-9a-f]*'
}

# Hot item: 20 signed-in bidders (20 sign-ups) on one item that none of them sells, for at
# most 10 s. Prints "<markdown row>~~<summary>": req/s, p50, p99, Redis CPU, accepted, recorded
# and lost bids, and how busy Redis was running scripts.
hot_item_bids() {
  local size="$1"
  : >"$WORK/cookies"
  for i in $(seq 1 20); do sign_up "bidder$i$$$RANDOM" >>"$WORK/cookies"; done
  local seller item
  seller=$(sign_up "hotseller$$$RANDOM")
  item=$(curl -s -X POST "$URL/api/items/create" -H 'Accept: application/json' -H "Origin: $URL" \
    -H "Cookie: $seller" -F name="Hot item" -F description="Everyone wants it." -F category=other -F price=1000 \
    -F duration=1d | grep -o '"id":"[0-9]*"' | grep -o '[0-9]*')
  # At most 10 s: a run long enough would take the price past the $10,000,000 cap.
  local bid_secs=$((SECONDS_EACH < 10 ? SECONDS_EACH : 10))
  local before after out script_before script_after
  redis_cmd CONFIG RESETSTAT >/dev/null
  local loop_before loop_after
  loop_before=$(event_loop)
  before=$(redis_cpu)
  out=$(BENCH_COOKIES="$WORK/cookies" BENCH_ITEM="$item" BENCH_ORIGIN="$URL" \
    wrk -t2 -c20 -d"${bid_secs}s" --latency -s scripts/bench/bids.lua "$URL/api/items/bid")
  after=$(redis_cpu)
  loop_after=$(event_loop)
  local accepted bids script_us
  accepted=$(awk '/accepted bids:/ {print $3}' <<<"$out")
  # All script time in Redis over the run (the bids, accepted or refused, and the analytics
  # folds and index syncs they cause), in ms per second of the run.
  [ -z "${RBAY_BENCH_COMMANDSTATS:-}" ] || redis_cmd INFO commandstats >"$RBAY_BENCH_COMMANDSTATS"
  script_us=$(redis_cmd INFO commandstats | tr ',' '\n' | grep -A1 '^cmdstat_evalsha:' | awk -F= -v secs="$bid_secs" '/^usec=/ {us += $2} END {printf "%.0f", us / 1000 / secs}')
  bids=$(curl -s "$URL/items/$item" -H "Cookie: $seller" | grep -o 'data-live="bids"[^>]*>[0-9]*' | grep -o '[0-9]*$')
  local r
  r=$(awk -v before="$before" -v after="$after" -v secs="$bid_secs" '
    /Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
    END {printf "%s %s %s %.0f%%", rps, p50, p99, (after-before)*100/secs}' <<<"$out")
  # Every accepted bid must be in the history (which may hold a few more: answers still in
  # flight when wrk stopped are not counted by it).
  local lost=$((accepted > bids ? accepted - bids : 0))
  echo "| $size | bids: 20 clients, one item (${bid_secs}s; $accepted accepted, $bids recorded, $lost lost) | $(awk '{print $1" | "$2" | "$3" | "$4}' <<<"$r") |~~$r; accepted $accepted, recorded $bids, lost $lost ($(grep 'non-200' <<<"$out")); Redis busy in scripts ${script_us} ms/s; $(event_loop_delta "$loop_before" "$loop_after" "$bid_secs")"
}

pages() {
  local sizes=("$@")
  [ ${#sizes[@]} -gt 0 ] || sizes=(500 5000 50000)
  local rows=()
  for size in "${sizes[@]}"; do
    export RBAY_KEY_PREFIX="bench$$-$size:"
    export RBAY_BID_LIMIT=1000000/1 RBAY_AUTH_IP_LIMIT=100000/60
    say "catalogue of $size items"
    local t0 t1
    t0=$(date +%s.%N)
    "$RBAY" seed --users 20 --items "$size" 2>/dev/null
    t1=$(date +%s.%N)
    local seed_secs
    seed_secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b-a}')
    echo "seeded in ${seed_secs}s"
    start_server
    # The query of a maker (about 20 items at any size) and a broad word (1 item in 16).
    local maker
    maker=$(curl -s "$URL/items/1" | grep -o '(\([A-Z][a-z]*\))' | head -1 | tr -d '()' || true)
    [ -n "$maker" ] || maker="kelanford"
    # 200 signed-in readers: each signed-in request is a different one of them (round robin).
    : >"$WORK/readers"
    for i in $(seq 1 200); do sign_up "reader$i$$" >>"$WORK/readers"; done
    # Each reader watches and bids on a few items, so that their own lists have rows.
    local first
    first=$(head -1 "$WORK/readers")
    local seller_session
    # A seeded seller (items / 20 of the catalogue are theirs) for the analytics dashboard.
    seller_session=$(curl -s -D - -o /dev/null -X POST "$URL/api/auth/signin" -H 'Accept: application/json' \
      -H "Origin: $URL" -d "username=demo&password=demo-password" | grep -o 'rbay_session=[0-9]*[.][0-9a-f]*')
    for item in 3 4 5; do
      curl -s -o /dev/null -X POST "$URL/api/items/watch" -H 'Accept: application/json' -H "Origin: $URL" \
        -H "Cookie: $first" -d "item_id=$item&watch=true"
    done
    local r
    # Each page anonymous and signed in, side by side in the same run ("-" = only signed in):
    # twice each, alternately, and the better run of each kept (errors are those of both), so
    # that one slow moment of this shared box does not make the pair's ratio. Anonymous twice
    # over: with plain wrk, and through the very script the signed-in runs use, without their
    # cookies ("same client", scripts/bench/page.lua): wrk shares the two cores with the
    # server, and its Lua costs it about a tenth of them, so only that pair compares the
    # server's two paths.
    for spec in "home /" "item /items/2" "search-specific /search?q=$maker" "search-broad /search?q=lamp" \
      "browse /search?sort=price_desc" "browse-category /search?category=home" "market /market" \
      "my-bids- /my/bids" "watching- /my/watching" "won-sold- /my/won" "notifications- /notifications"; do
      local name="${spec%% *}" path="${spec#* }"
      local anonymous=() same_client=() signed=()
      for _ in 1 2; do
        if [[ "$name" != *- ]]; then
          anonymous+=("$(measure "$path")")
          same_client+=("$(measure "$path" -s scripts/bench/page.lua)")
        fi
        signed+=("$(BENCH_COOKIES="$WORK/readers" measure "$path" -s scripts/bench/page.lua)")
      done
      if [[ "$name" != *- ]]; then
        r=$(better "${anonymous[@]}")
        echo "$name $path: $r"
        rows+=("| $size | $name \`$path\` | $(awk '{print $1" | "$2" | "$3" | "$5}' <<<"$r") |")
        r=$(better "${same_client[@]}")
        echo "$name-same-client $path: $r"
        rows+=("| $size | $name-same-client \`$path\` | $(awk '{print $1" | "$2" | "$3" | "$5}' <<<"$r") |")
      fi
      name="${name%-}-signed-in"
      r=$(better "${signed[@]}")
      echo "$name $path: $r"
      rows+=("| $size | $name \`$path\` (200 users) | $(awk '{print $1" | "$2" | "$3" | "$5}' <<<"$r") |")
    done
    r=$(measure /dashboard -H "Cookie: $seller_session")
    echo "dashboard-seller /dashboard: $r"
    # Where the memory stands before the bidders sign up (the peak's usual moment).
    echo "server memory after the page loads: $(memory)"
    rows+=("| $size | dashboard-seller \`/dashboard\` | $(awk '{print $1" | "$2" | "$3" | "$5}' <<<"$r") |")
    # What a browser downloads and how soon the bid form works on a slow connection (once).
    if [ "$size" = "${BENCH_BROWSER_SIZE:-${sizes[0]}}" ] && [ -x /usr/bin/chromium ] && [ -d end2end/node_modules ]; then
      node scripts/bench/browser.mjs "$URL" | grep -v '^JSON' | sed 's/^/browser: /' || true
    fi
    local hot
    hot=$(hot_item_bids "$size")
    echo "hot-item bids: ${hot#*~~}"
    rows+=("${hot%%~~*}")
    echo "server memory over the run: $(memory)"
    rows+=("| $size | seeding: ${seed_secs}s; server peak RSS over the run: $(peak_mib) MiB | | | | |")
    stop_server
    "$RBAY" purge --yes >/dev/null
  done
  echo
  echo "| Items | Page | req/s | p50 | p99 | Redis CPU |"
  echo "|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
}

hostile() {
  export RBAY_AUTH_IP_LIMIT=100000/60 RBAY_AUTH_USER_LIMIT=100000/60
  export RBAY_KEY_PREFIX="bench$$-hostile:"
  start_server
  for i in $(seq 0 49); do sign_up "crowd$i" >/dev/null; done
  echo "== 1,000 concurrent sign-ins"
  python3 scripts/hostile_load.py "$URL" signins 1000
  echo "   server memory: $(memory)"
  stop_server

  start_server
  echo "== 20,000 live streams of unknown items"
  python3 scripts/hostile_load.py "$URL" streams 20000
  echo "   server memory: $(memory)"
  stop_server

  start_server
  echo "== photo decompression bomb"
  python3 scripts/hostile_load.py "$URL" bomb "$(sign_up bomber)"
  echo "   server memory: $(memory)"
  stop_server
}

# Idle live streams: what each costs the server while nothing happens, and whether the memory
# comes back once they close.
streams() {
  local n="${1:-10000}"
  export RBAY_KEY_PREFIX="bench$$-streams:"
  "$RBAY" seed --users 2 --items 20 2>/dev/null
  start_server
  python3 scripts/hostile_load.py "$URL" idle "$n" /items/2/events "$server"
  stop_server
  "$RBAY" purge --yes >/dev/null
}

# The job queue: no-op probe jobs through enqueue → run → acknowledge, 4 workers.
jobs() {
  export RBAY_KEY_PREFIX="bench$$-jobs:"
  "$RBAY" bench-jobs --jobs "${RBAY_BENCH_JOBS:-50000}" --workers 4
  "$RBAY" purge --yes >/dev/null
}

# Saved-search alerts: 10,000 searches, 100 listings a minute.
# Twice: a varied vocabulary, then one whose words share their first letters (worst case).
alerts() {
  for shared in "" --shared-prefixes; do
    export RBAY_KEY_PREFIX="bench$$-alerts:"
    "$RBAY" bench-alerts --searches "${RBAY_BENCH_SEARCHES:-10000}" \
      --listings "${RBAY_BENCH_LISTINGS:-100}" --per-minute "${RBAY_BENCH_PER_MINUTE:-100}" $shared
    "$RBAY" purge --yes >/dev/null
  done
}

# Hot-item bids only, RUNS times (default 5) on one server: to compare builds (e.g. the cost of
# recording analytics inside the bid script).
bids() {
  export RBAY_KEY_PREFIX="bench$$-bids:"
  export RBAY_BID_LIMIT=1000000/1 RBAY_AUTH_IP_LIMIT=100000/60
  local fsync="${RBAY_BENCH_FSYNC:-}"
  if [ -n "$fsync" ]; then
    local aof_was fsync_was
    aof_was=$(redis_cmd CONFIG GET appendonly | tail -1)
    fsync_was=$(redis_cmd CONFIG GET appendfsync | tail -1)
    redis_cmd CONFIG SET appendonly yes >/dev/null
    redis_cmd CONFIG SET appendfsync "$fsync" >/dev/null
    # shellcheck disable=SC2064 # the values are meant to be fixed now
    trap "redis_cmd CONFIG SET appendfsync '$fsync_was' >/dev/null; redis_cmd CONFIG SET appendonly '$aof_was' >/dev/null; cleanup" EXIT
    echo "Redis AOF on, appendfsync $fsync (was: appendonly $aof_was, appendfsync $fsync_was)"
  fi
  start_server
  for run in $(seq 1 "${1:-5}"); do
    local hot
    hot=$(hot_item_bids "run $run")
    echo "run $run: ${hot#*~~}"
  done
  echo "server memory: $(memory)"
}

# Pages and bids at one catalogue size (default 5000) on the test Redis, then on a throwaway
# Redis Cluster of three primaries with a replica each (scripts/redis.sh start-test-cluster;
# bids acknowledged once a replica holds them, RBAY_REPLICA_ACKS=1), side by side.
cluster() {
  local size="${1:-5000}" one_redis="$REDIS_URL" nodes
  REDIS_URL="redis://127.0.0.1:$REDIS_CLUSTER_TEST_PORT" redis_cmd PING 2>/dev/null | grep -q PONG &&
    die "a test cluster already runs on port $REDIS_CLUSTER_TEST_PORT: stop it first (scripts/redis.sh stop-test-cluster)"
  say "one Redis: $one_redis"
  pages "$size" | tee "$WORK/one.txt"
  say "a Redis Cluster: three primaries, a replica each"
  nodes="$(REDIS_URL= RBAY_CLUSTER_REPLICAS=1 scripts/redis.sh start-test-cluster | tail -n 1)"
  (export REDIS_URL="$nodes" RBAY_REPLICA_ACKS=1; pages "$size") | tee "$WORK/cluster.txt" || true
  RBAY_CLUSTER_REPLICAS=1 REDIS_URL= scripts/redis.sh stop-test-cluster
  echo
  echo "| $size items | one Redis: req/s | p99 | Redis CPU | cluster: req/s | p99 | Redis CPU (6 nodes) |"
  echo "|---|---|---|---|---|---|---|"
  paste -d '\t' <(grep "^| $size |" "$WORK/one.txt") <(grep "^| $size |" "$WORK/cluster.txt") |
    awk -F'\t' '{ split($1, a, "|"); split($2, b, "|");
      printf "|%s|%s|%s|%s|%s|%s|%s|\n", a[3], a[4], a[6], a[7], b[4], b[6], b[7] }'
  # The rows' labels are the first run's: each run's own bid counts and memory.
  for run in one cluster; do
    echo "$run: $(grep '^hot-item bids' "$WORK/$run.txt"); $(grep '^server memory' "$WORK/$run.txt")"
  done
}

case "${1:-}" in
  hostile) hostile ;;
  cluster) shift; cluster "$@" ;;
  bids) shift; bids "$@" ;;
  jobs) jobs ;;
  streams) shift; streams "$@" ;;
  alerts) alerts ;;
  *) pages "$@" ;;
esac
