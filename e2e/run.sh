#!/usr/bin/env bash
# End-to-end test of the page `unspin serve` serves at `/`, in headless Chromium (playwright-core).
# Installs what is missing (Debian's chromium, e2e/node_modules), builds the debug binary, runs
# e2e/page.test.mjs, then e2e/stats.mjs (the `unspin stats --html` report). Env:
# UNSPIN_SCREENSHOT=1 rewrites docs/screenshot.png, screenshot-phone.png and
# screenshot-print.png; CHROMIUM overrides the browser (default /usr/bin/chromium).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

die() { echo "e2e/run.sh: error: $*" >&2; exit 1; }
say() { echo "e2e/run.sh: $*" >&2; }

export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
# The classical model, as the CLI tests pin it: the ensemble in a debug build can pass the
# server's 30 s limit on a busy machine (CI installs no encoders, so it is classical there too).
export UNSPIN_MODEL="${UNSPIN_MODEL:-classical}"
if [[ ! -x "$CHROMIUM" ]]; then
  command -v apt-get >/dev/null || die "$CHROMIUM not found and no apt-get to install Debian's chromium"
  sudo=()
  if [[ "$(id -u)" != 0 ]]; then
    command -v sudo >/dev/null || die "$CHROMIUM not found; installing it needs root or sudo"
    sudo=(sudo)
  fi
  say "installing chromium (apt-get)"
  "${sudo[@]}" apt-get update -q || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q chromium \
    || die "apt-get install chromium failed"
  [[ -x "$CHROMIUM" ]] || die "chromium installed but $CHROMIUM is missing"
fi

command -v node >/dev/null || die "node (20 or newer) is required"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
(( node_major >= 20 )) || die "node 20 or newer is required (found $(node --version))"
command -v npm >/dev/null || die "npm is required"
# Reinstall when a package is missing or differs from the lock (playwright-core, axe-core).
stale() {
  [[ ! -f "e2e/node_modules/$1/package.json" ]] \
    || [[ "$(node -p "require('./e2e/node_modules/$1/package.json').version")" \
      != "$(node -p "require('./e2e/package-lock.json').packages['node_modules/$1'].version")" ]]
}
if stale playwright-core || stale axe-core; then
  say "npm ci (playwright-core, axe-core)"
  (cd e2e && npm ci --no-audit --no-fund) || die "npm ci in e2e/ failed"
fi

say "cargo build -p unspin-cli"
cargo build -p unspin-cli || die "cargo build -p unspin-cli failed"
bin="$(cargo metadata --format-version 1 --no-deps | node -e \
  'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')/debug/unspin"
[[ -x "$bin" ]] || die "built binary not found at $bin"

say "node --test e2e/page.test.mjs (UNSPIN_BIN=$bin, $("$CHROMIUM" --version 2>/dev/null || echo chromium))"
UNSPIN_BIN="$bin" node --test --test-concurrency=1 e2e/page.test.mjs || die "the end-to-end test failed (see above)"
say "node --test e2e/stats.mjs (the unspin stats --html report)"
UNSPIN_BIN="$bin" node --test --test-concurrency=1 e2e/stats.mjs || die "the stats report test failed (see above)"
say "ok"
