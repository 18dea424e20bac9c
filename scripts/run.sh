#!/usr/bin/env bash
# One command to set up and run Rbay on http://127.0.0.1:3000 (Ctrl-C stops it).
#   scripts/run.sh             on one Redis (scripts/redis.sh start, port 6380)
#   scripts/run.sh --cluster   on a Redis Cluster of three primaries with a replica each
#                              (scripts/redis.sh start-cluster, ports 7001-7006)
# With REDIS_URL set, on that Redis (or cluster: its nodes, comma-separated).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

cluster=no
case "${1:-}" in
  "") ;;
  --cluster) cluster=yes ;;
  *) die "usage: scripts/run.sh [--cluster]" ;;
esac

scripts/setup.sh
if [ -z "${REDIS_URL:-}" ]; then
  if [ "$cluster" = yes ]; then
    REDIS_URL="$(scripts/redis.sh start-cluster | tail -n 1)"
    # Each primary has a replica: a bid is acknowledged once the replica holds it too, so a
    # failover loses no acknowledged bid (docs/deploy.md).
    export REDIS_URL RBAY_REPLICA_ACKS="${RBAY_REPLICA_ACKS:-1}"
  else
    scripts/redis.sh start
    export REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
  fi
fi
scripts/build.sh
export RBAY_ADDR="${RBAY_ADDR:-127.0.0.1:3000}"
export LEPTOS_SITE_ROOT="$ROOT/target/site"
# Demo data the first time (an empty database); never touches keys outside RBAY_KEY_PREFIX.
target/release/rbay seed --if-empty
say "Rbay on http://$RBAY_ADDR (Redis: $REDIS_URL)"
exec target/release/rbay
