#!/usr/bin/env bash
# Everything a release needs, in the order that fails fastest: format and lint, types, unit and database
# tests on both engines, the web build, then the browser journeys in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
export TZ=UTC

step() { printf '\n==> %s\n' "$*"; }

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

step 'unit and database tests (PGlite and PostgreSQL)'
npx vitest run --project unit

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

printf '\n==> all checks passed\n'
