#!/usr/bin/env bash
# The packages as another project gets them: packs them (publint and attw check each tarball), then each example
# app outside the workspace installs the tarballs, typechecks, builds, and passes its Playwright tests against a
# threadcast server; examples/playwright-kit runs docs/testing.md's tests with the test kit from its tarball. Needs
# the packages built first (`pnpm build`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/check-packages.sh .packs
# Four distinct free loopback ports (all held open until each is known): a server and an app per example.
read -r -a ports < <(node -e '
  const net = require("node:net");
  const servers = [0, 1, 2, 3].map(() => net.createServer());
  Promise.all(servers.map((s) => new Promise((done) => s.listen(0, "127.0.0.1", done)))).then(() => {
    console.log(servers.map((s) => s.address().port).join(" "));
    for (const s of servers) s.close();
  });')

# One example: a fresh install every time (the tarballs are rebuilt, and a lockfile would pin the previous
# ones), then typecheck, build and its Playwright tests against a threadcast server on the given ports.
run_example() {
  cd "examples/$1"
  rm -rf node_modules pnpm-lock.yaml dist test-results
  pnpm install --prefer-offline --reporter=silent
  pnpm run --silent typecheck
  pnpm run --silent build >/dev/null
  THREADCAST_PORT=$2 EXAMPLE_PORT=$3 pnpm exec playwright test
}

# docs/testing.md's tests with @threadcast/playwright from its tarball: the kit starts the repository's built server
# and worker itself, on ports it picks.
run_kit_example() {
  cd examples/playwright-kit
  rm -rf node_modules pnpm-lock.yaml test-results
  pnpm install --prefer-offline --reporter=silent
  pnpm run --silent typecheck
  pnpm exec playwright test
}

# The three run side by side (each waits mostly on paced runs); their output is shown one after the other.
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
(run_example react-chat "${ports[0]}" "${ports[1]}" >"$logs/react-chat" 2>&1) & react=$!
(run_example ai-chat "${ports[2]}" "${ports[3]}" >"$logs/ai-chat" 2>&1) & ai=$!
(run_kit_example >"$logs/playwright-kit" 2>&1) & kit=$!
status=0
wait "$react" || status=1
wait "$ai" || status=1
wait "$kit" || status=1
for example in react-chat ai-chat playwright-kit; do
  printf '\n\033[1m[examples/%s]\033[0m the packed tarballs installed, typechecked and tested\n' "$example"
  cat "$logs/$example"
done
exit "$status"
