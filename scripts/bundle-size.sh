#!/usr/bin/env bash
# What a browser downloads per page, JS + WASM, raw and gzip, from the release build: the main
# module (the islands on every page: search box, page ticker) plus, for pages with lazy islands,
# the split loader and every chunk those islands list in __wasm_split_manifest.json.
#
# Guard: the home page must stay under HOME_GUARD_KB (a regression check; the target is 60 KB,
# see docs/benchmarks.md for where the rest goes). scripts/bench/browser.mjs measures the same
# in Chromium, over the network.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT/target/site/pkg" || die "no release build: run scripts/build.sh"
HOME_GUARD_KB="${HOME_GUARD_KB:-110}"

python3 - "$HOME_GUARD_KB" <<'PY'
import gzip, json, os, sys

guard_kb = int(sys.argv[1])
manifest = json.load(open("__wasm_split_manifest.json")) if os.path.exists("__wasm_split_manifest.json") else {}
loader = "__wasm_split.______________________.js"

def island(name):
    for key, modules in manifest.items():
        if key.rsplit("_loader_", 1)[0] == name:
            return [m + ".wasm" for m in modules]
    return []

def size(f):
    data = open(f, "rb").read()
    return len(data), len(gzip.compress(data, 9))

main = ["rbay.js", "rbay.wasm"]
pages = {
    "home, search, profiles": [],
    "item page (signed in)": ["price_box", "bid_box", "bid_history", "like_button", "comment_list", "live_item", "notice_badge"],
    "item page (signed out)": ["price_box", "bid_box", "bid_history", "like_button", "comment_list", "live_item"],
    "comments page (signed in)": ["comment_list", "comment_form", "live_item", "notice_badge"],
    "sign in / sign up": ["auth_form"],
    "sell an item": ["item_form"],
}
print(f"{'page':28} {'files':>5} {'bytes':>9} {'gzip':>9}")
home_gzip = None
for page, islands in pages.items():
    files = list(main)
    if islands:
        files.append(loader)
        for name in islands:
            files += [f for f in island(name) if f not in files]
    raw = gz = 0
    for f in files:
        r, g = size(f)
        raw += r
        gz += g
    if home_gzip is None:
        home_gzip = gz
    print(f"{page:28} {len(files):5d} {raw:9d} {gz:9d}")
kb = (home_gzip + 1023) // 1024
print(f"\nHome page JS + WASM gzip: {home_gzip} bytes ({kb} KB); target 60 KB, guard {guard_kb} KB")
if kb > guard_kb:
    print("home page bundle over its guard", file=sys.stderr)
    sys.exit(1)
PY
