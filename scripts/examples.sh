#!/usr/bin/env bash
# The packages as another project gets them: packs them (publint and attw check each tarball), then each example
# app outside the workspace installs the tarballs, typechecks, builds, and passes its Playwright tests against a
# threadcast server. Needs the packages built first (`pnpm build`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/check-packages.sh .packs
free_port() { node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'; }
for example in react-chat ai-chat; do
  printf '\n\033[1m[examples/%s]\033[0m install the packed tarballs, typecheck, build, test\n' "$example" >&2
  (
    cd "examples/$example"
    # A fresh install every time: the tarballs are rebuilt, and a lockfile would pin the previous ones.
    rm -rf node_modules pnpm-lock.yaml dist
    pnpm install --prefer-offline --reporter=silent
    pnpm run --silent typecheck
    pnpm run --silent build >/dev/null
    THREADCAST_PORT=$(free_port) EXAMPLE_PORT=$(free_port) pnpm exec playwright test
  )
done
