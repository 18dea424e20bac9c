#!/usr/bin/env bash
# Starts or stops the project's own Redis (8.2 + RediSearch + RedisJSON).
#   scripts/redis.sh start        persistent (AOF, fsync before every reply) on port $RBAY_REDIS_PORT (6380), data in .data/redis
#   scripts/redis.sh start-test   throwaway on port $RBAY_REDIS_TEST_PORT (6381), data in target/redis-test
#   scripts/redis.sh stop | stop-test
#   scripts/redis.sh status | status-test
#   scripts/redis.sh start-cluster | stop-cluster
#                                 persistent Redis Cluster: 3 primaries with a replica each, on
#                                 ports $RBAY_REDIS_CLUSTER_PORT (7001) .. +5 (primaries first),
#                                 data in .data/redis-cluster; prints the REDIS_URL of its nodes
#   scripts/redis.sh start-test-cluster | stop-test-cluster
#                                 throwaway 3-primary Redis Cluster on ports
#                                 $RBAY_REDIS_CLUSTER_TEST_PORT (6391) .. +2, data in target/redis-cluster
#                                 (RBAY_CLUSTER_REPLICAS=1: a replica each, on the next 3 ports);
#                                 prints the REDIS_URL that lists its nodes
# Cluster nodes take a failed primary's place after RBAY_CLUSTER_NODE_TIMEOUT_MS (2000).
# When REDIS_URL is set, you run your own Redis and the start commands do nothing; the stop
# commands still stop what this script started (only the processes of its own pid files).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

cmd="${1:-start}"
if [ -n "${REDIS_URL:-}" ] && [[ "$cmd" == start* ]]; then
  echo "REDIS_URL is set ($REDIS_URL): using that Redis, not starting one."
  exit 0
fi

# One command to 127.0.0.1:$1 in Redis' inline protocol over bash's /dev/tcp (no redis-cli
# here); prints a simple reply's line, or a bulk reply's body.
inline() {
  local port="$1"; shift
  (
    exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
    printf '%s\r\n' "$*" >&3
    local line body
    read -r -t 2 line <&3 || exit 1
    line="${line%$'\r'}"
    if [[ "$line" == '$'* ]]; then
      [ "${line#?}" -ge 0 ] || exit 0
      read -r -N "${line#?}" -t 2 body <&3
      printf '%s\n' "$body"
    else
      printf '%s\n' "$line"
    fi
  ) 2>/dev/null
}

# A Redis Cluster of three primaries, each with $replicas replicas, on ports $base and up
# ($base .. $base+2 the primaries), data in $dir. Persistent clusters keep their data (AOF,
# fsync before every reply) and are only created the first time.
# Sets `args`: what every Redis started here runs with — port, data directory, pid and log
# files, the search and JSON modules, and an AOF fsynced on every write (persist=yes) or no
# persistence at all.
redis_args() { # port dir pidfile persist
  args=(--port "$1" --bind 127.0.0.1 --dir "$2" --daemonize yes
        --pidfile "$3" --logfile "$2/redis.log"
        --loadmodule "$modules/redisearch.so" --loadmodule "$modules/rejson.so")
  if [ "$4" = yes ]; then
    args+=(--appendonly yes --appendfsync always)
  else
    args+=(--appendonly no --save "")
  fi
}

cluster_ports() { seq "$base" $((base + 3 * (1 + replicas) - 1)); }
cluster_url() {
  local urls=() port
  for port in $(cluster_ports); do urls+=("redis://127.0.0.1:$port"); done
  (IFS=,; echo "${urls[*]}")
}
cluster_up() {
  local want="$1" port info ok
  for _ in $(seq 1 150); do
    ok=0
    for port in $(cluster_ports); do
      info="$(inline "$port" CLUSTER INFO)"
      if grep -q '^cluster_state:ok' <<<"$info" && grep -q "^cluster_known_nodes:$want" <<<"$info"; then
        ok=$((ok + 1))
      fi
    done
    [ "$ok" = "$want" ] && return 0
    sleep 0.2
  done
  return 1
}
start_cluster() {
  local server modules port dir_ i first last nodes primary_id
  server="$(redis_server_bin)"; modules="$(redis_module_dir)"
  [ -n "$server" ] && [ -n "$modules" ] || die "Redis is not installed: run scripts/setup.sh"
  nodes=$((3 * (1 + replicas)))
  local fresh=yes
  if [ "$persist" = yes ] && [ -f "$dir/$base/nodes.conf" ]; then fresh=no; else rm -rf "$dir"; fi
  for port in $(cluster_ports); do
    dir_="$dir/$port"; mkdir -p "$dir_"
    if [ -f "$dir_/redis.pid" ] && kill -0 "$(cat "$dir_/redis.pid")" 2>/dev/null; then continue; fi
    local args
    redis_args "$port" "$dir_" "$dir_/redis.pid" "$persist"
    args+=(--cluster-enabled yes --cluster-config-file "$dir_/nodes.conf"
      --cluster-node-timeout "${RBAY_CLUSTER_NODE_TIMEOUT_MS:-2000}")
    "$server" "${args[@]}"
    for _ in $(seq 1 50); do inline "$port" PING | grep -q PONG && break; sleep 0.1; done
    inline "$port" PING | grep -q PONG || die "cluster node $port did not start; see $dir_/redis.log"
  done
  if [ "$fresh" = yes ]; then
    # Three primaries, a third of the 16,384 slots each, then introduce every node.
    for i in 0 1 2; do
      port=$((base + i)); first=$((i * 5462)); last=$(( i == 2 ? 16383 : (i + 1) * 5462 - 1 ))
      inline "$port" CLUSTER ADDSLOTSRANGE "$first" "$last" | grep -q OK \
        || die "cannot assign slots $first-$last to node $port"
    done
    for port in $(cluster_ports); do
      [ "$port" = "$base" ] && continue
      inline "$base" CLUSTER MEET 127.0.0.1 "$port" | grep -q OK \
        || die "node $base cannot meet node $port"
    done
    # Replica r of primary i is node base + 3 * (r + 1) + i.
    for port in $(cluster_ports); do
      i=$(( (port - base) % 3 ))
      [ "$port" -lt $((base + 3)) ] && continue
      primary_id="$(inline $((base + i)) CLUSTER MYID)"
      for _ in $(seq 1 100); do
        inline "$port" CLUSTER REPLICATE "$primary_id" | grep -q OK && break
        sleep 0.1
      done
    done
  fi
  cluster_up "$nodes" || die "the cluster did not come up; see $dir/*/redis.log"
  cluster_url
}
stop_cluster() {
  # Every node it started, replicas included, whatever RBAY_CLUSTER_REPLICAS says now.
  local pidfile pid
  for pidfile in "$dir"/*/redis.pid; do
    if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      pid="$(cat "$pidfile")"; kill "$pid"
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
  done
}

case "$cmd" in
  start-test-cluster|stop-test-cluster)
    base="$REDIS_CLUSTER_TEST_PORT"; replicas="${RBAY_CLUSTER_REPLICAS:-0}"
    dir="$ROOT/target/redis-cluster"; persist=no
    ;;&
  start-cluster|stop-cluster)
    base="$REDIS_CLUSTER_PORT"; replicas=1; dir="$ROOT/.data/redis-cluster"; persist=yes
    ;;&
  start-test-cluster|start-cluster) start_cluster; exit 0 ;;
  stop-test-cluster|stop-cluster) stop_cluster; exit 0 ;;
esac

case "$cmd" in
  *-test) port="$REDIS_TEST_PORT"; dir="$ROOT/target/redis-test"; persist=no ;;
  *)      port="$REDIS_PORT";      dir="$ROOT/.data/redis";       persist=yes ;;
esac
pidfile="$dir/redis.pid"

ping() {
  # Minimal RESP over bash's /dev/tcp, in a subshell: no redis-cli needed.
  (
    exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
    printf 'PING\r\n' >&3
    reply=""
    read -r -t 2 reply <&3 || true
    [[ "$reply" == "+PONG"* ]]
  ) 2>/dev/null
}

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

case "$cmd" in
  start|start-test)
    if running; then echo "Redis already running on port $port"; exit 0; fi
    server="$(redis_server_bin)"; modules="$(redis_module_dir)"
    [ -n "$server" ] && [ -n "$modules" ] || die "Redis is not installed: run scripts/setup.sh"
    if [ "$persist" = no ]; then rm -rf "$dir"; fi
    mkdir -p "$dir"
    redis_args "$port" "$dir" "$pidfile" "$persist"
    "$server" "${args[@]}"
    for _ in $(seq 1 50); do ping && break; sleep 0.1; done
    ping || die "Redis did not start on port $port; see $dir/redis.log"
    echo "Redis ready on redis://127.0.0.1:$port (data: $dir)"
    ;;
  stop|stop-test)
    if running; then
      kill "$(cat "$pidfile")"
      for _ in $(seq 1 50); do running || break; sleep 0.1; done
      echo "Redis on port $port stopped"
    fi
    ;;
  status|status-test)
    if running && ping; then echo "running on port $port"; else echo "not running"; exit 1; fi
    ;;
  *) die "usage: scripts/redis.sh start|stop|status[-test] | start|stop-cluster | start|stop-test-cluster" ;;
esac
