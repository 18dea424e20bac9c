#!/usr/bin/env bash
# One command to set up and run Rbay on http://127.0.0.1:3000 (Ctrl-C stops it).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

scripts/setup.sh
if [ -z "${REDIS_URL:-}" ]; then
  scripts/redis.sh start
  export REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
fi
scripts/build.sh
export RBAY_ADDR="${RBAY_ADDR:-127.0.0.1:3000}"
export LEPTOS_SITE_ROOT="$ROOT/target/site"
# Demo data the first time (an empty database); never touches keys outside RBAY_KEY_PREFIX.
target/release/rbay seed --if-empty
say "Rbay on http://$RBAY_ADDR (Redis: $REDIS_URL)"
exec target/release/rbay
