#!/usr/bin/env bash
# One command to set up and run every test:
#   0. formatting and clippy;
#   1. Rust unit and integration tests against a real, throwaway Redis, then the suites of
#      every feature that does not search again on a throwaway three-primary Redis Cluster;
#   2. a release build, and the size of the browser bundle;
#   3. Playwright end-to-end tests in Chromium through the fleet: three release instances
#      behind nginx (scripts/fleet.sh), as deployed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

scripts/setup.sh
scripts/lint.sh

# (redis.sh leaves a Redis named by REDIS_URL alone, hence `REDIS_URL=` in the trap.)
trap 'REDIS_URL= "$ROOT/scripts/redis.sh" stop-test-cluster; REDIS_URL= "$ROOT/scripts/redis.sh" stop-test' EXIT
if [ -z "${REDIS_URL:-}" ]; then
  scripts/redis.sh start-test
  export REDIS_URL="redis://127.0.0.1:$REDIS_TEST_PORT"
fi
# The resilience tests start and stop Redis servers of their own.
RBAY_REDIS_SERVER_BIN="$(redis_server_bin)"
RBAY_REDIS_MODULE_DIR="$(redis_module_dir)"
export RBAY_REDIS_SERVER_BIN RBAY_REDIS_MODULE_DIR

say "Rust tests (unit + integration, Redis at $REDIS_URL)"
cargo test --features ssr --no-fail-fast

# The same suites on a Redis Cluster: scripts, bids, sessions, locks, rate limits, the job
# queue, live updates, rankings and analytics. Their few tests that search skip themselves
# there (the RediSearch build here searches one shard only; see docs/deploy.md).
say "Rust suites on a three-primary Redis Cluster"
cluster_url="$(REDIS_URL= scripts/redis.sh start-test-cluster | tail -n 1)"
REDIS_URL="$cluster_url" cargo test --features ssr --no-fail-fast \
  --test redis_layer --test accounts --test auctions --test proxy_bidding --test jobs \
  --test live --test notifications --test my_lists --test rankings --test analytics
REDIS_URL= scripts/redis.sh stop-test-cluster

scripts/build.sh
scripts/bundle-size.sh

say "Playwright end-to-end tests (three instances behind nginx)"
cd end2end
RBAY_E2E_FLEET=1 npx playwright test
