#!/usr/bin/env bash
# Formatting and clippy, for the server and the browser build. Warnings fail.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
say "no import cycles between modules"
python3 scripts/module_cycles.py
say "cargo fmt --check"
cargo fmt --all -- --check
# Own target dir: cargo-leptos debug builds set other RUSTFLAGS and would force rebuilds.
say "clippy (server and browser)"
cargo clippy --features ssr --all-targets --target-dir target-clippy -- -D warnings
cargo clippy --features hydrate --lib --target wasm32-unknown-unknown --target-dir target-clippy -- -D warnings
