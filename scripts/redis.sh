#!/usr/bin/env bash
# Starts or stops the project's own Redis (8.2 + RediSearch + RedisJSON).
#   scripts/redis.sh start        persistent (AOF, fsync before every reply) on port $RBAY_REDIS_PORT (6380), data in .data/redis
#   scripts/redis.sh start-test   throwaway on port $RBAY_REDIS_TEST_PORT (6381), data in target/redis-test
#   scripts/redis.sh stop | stop-test
#   scripts/redis.sh status | status-test
# When REDIS_URL is set, you run your own Redis and this script does nothing.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

cmd="${1:-start}"
if [ -n "${REDIS_URL:-}" ]; then
  echo "REDIS_URL is set ($REDIS_URL): using that Redis, not starting one."
  exit 0
fi

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
    args=(--port "$port" --bind 127.0.0.1 --dir "$dir" --daemonize yes
          --pidfile "$pidfile" --logfile "$dir/redis.log"
          --loadmodule "$modules/redisearch.so" --loadmodule "$modules/rejson.so")
    if [ "$persist" = yes ]; then
      args+=(--appendonly yes --appendfsync always)
    else
      args+=(--appendonly no --save "")
    fi
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
  *) die "usage: scripts/redis.sh start|stop|status[-test]" ;;
esac
