#!/usr/bin/env bash
# One command to set up and run every test:
#   0. formatting and clippy;
#   1. Rust unit and integration tests against a real, throwaway Redis;
#   2. a release build, and the size of the browser bundle;
#   3. Playwright end-to-end tests in Chromium through the fleet: three release instances
#      behind nginx (scripts/fleet.sh), as deployed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

scripts/setup.sh
scripts/lint.sh

if [ -z "${REDIS_URL:-}" ]; then
  scripts/redis.sh start-test
  # (REDIS_URL is exported below; redis.sh leaves a Redis named by REDIS_URL alone.)
  trap 'REDIS_URL= "$ROOT/scripts/redis.sh" stop-test' EXIT
  export REDIS_URL="redis://127.0.0.1:$REDIS_TEST_PORT"
fi
# The resilience tests start and stop Redis servers of their own.
RBAY_REDIS_SERVER_BIN="$(redis_server_bin)"
RBAY_REDIS_MODULE_DIR="$(redis_module_dir)"
export RBAY_REDIS_SERVER_BIN RBAY_REDIS_MODULE_DIR

say "Rust tests (unit + integration, Redis at $REDIS_URL)"
cargo test --features ssr --no-fail-fast

scripts/build.sh
scripts/bundle-size.sh

say "Playwright end-to-end tests (three instances behind nginx)"
cd end2end
RBAY_E2E_FLEET=1 npx playwright test
