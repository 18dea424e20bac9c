#!/usr/bin/env bash
# One command to set up and run every test:
#   0. formatting and clippy;
#   1. Rust unit and integration tests against a real, throwaway Redis, then the same suites
#      again on a throwaway three-primary Redis Cluster;
#   2. a release build, and the size of the browser bundle;
#   3. Playwright end-to-end tests in Chromium through the fleet: three release instances
#      behind nginx (scripts/fleet.sh) on the Redis Cluster, as deployed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

scripts/setup.sh
scripts/lint.sh

# (redis.sh leaves a Redis named by REDIS_URL alone, hence `REDIS_URL=` in the trap.)
trap 'RBAY_CLUSTER_REPLICAS=1 REDIS_URL= "$ROOT/scripts/redis.sh" stop-test-cluster; REDIS_URL= "$ROOT/scripts/redis.sh" stop-test' EXIT
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

# The same suites on a Redis Cluster, search included (every primary is asked and the answers
# merged; see docs/architecture.md): every suite but those that start Redis servers of their
# own (resilience, faults, and cluster, which compares a cluster of its own with one Redis).
say "Rust suites on a Redis Cluster (three primaries, a replica each)"
cluster_url="$(REDIS_URL= RBAY_CLUSTER_REPLICAS=1 scripts/redis.sh start-test-cluster | tail -n 1)"
cluster_suites=()
for suite in tests/*.rs; do
  name="$(basename "$suite" .rs)"
  case "$name" in resilience|faults|cluster) continue ;; esac
  cluster_suites+=(--test "$name")
done
REDIS_URL="$cluster_url" cargo test --features ssr --no-fail-fast "${cluster_suites[@]}"

scripts/build.sh
scripts/bundle-size.sh

# The browser suite runs on the cluster: the deployment that can go wrong in more ways (every
# search asked of three primaries, live events relayed between nodes). The Rust suites above
# cover one Redis and the cluster alike.
say "Playwright end-to-end tests (three instances behind nginx, on the Redis Cluster)"
cd end2end
# The cluster has a replica of each primary: bids are acknowledged once one holds them.
REDIS_URL="$cluster_url" RBAY_E2E_FLEET=1 RBAY_REPLICA_ACKS=1 npx playwright test
