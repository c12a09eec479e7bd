#!/usr/bin/env bash
# One entry point for the README commands: installs what is missing, then starts or tests threadcast.
#   start         the app (embedded memory engine without REDIS_URL; server + embedded worker with it)
#   start:server  a server only (needs REDIS_URL; run workers beside it)
#   start:worker  a worker only (needs REDIS_URL)
#   test          every suite: lint, dependency audit, typecheck, unit and integration tests, build, compose check, e2e,
#                 the packed packages and the example apps that install them, the benchmark's quick run, a heap
#                 census and a short soak
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=12.4.2
export TURBO_TELEMETRY_DISABLED=1
export COREPACK_ENABLE_DOWNLOAD_PROMPT=0

say() { printf '\033[1m[threadcast]\033[0m %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else say "need root to run: $*"; exit 1
  fi
}

ensure_pnpm() {
  if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
    say "installing pnpm $PNPM_VERSION"
    as_root npm install --global --allow-scripts=pnpm "pnpm@$PNPM_VERSION" >/dev/null
  fi
}

ensure_deps() {
  say "installing dependencies (pnpm install)"
  pnpm install --frozen-lockfile --reporter=silent
}

# Debian packages the tests need: a redis-server to start on free ports, Chromium for Playwright,
# docker-compose to validate the compose file (no Docker engine is needed for that), and nginx (built with
# the HTTP/2 and TLS modules) with openssl for its throw-away certificate, for the e2e suite behind a proxy.
# The tests start nginx themselves, with their own configuration on free ports (never a system service).
ensure_apt() {
  local missing=()
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
  [ -x /usr/sbin/nginx ] || missing+=(nginx)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]} (apt-get)"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

build_web() {
  say "building the web app"
  pnpm exec turbo run build --filter=@threadcast/web --output-logs=errors-only
}

# High and critical advisories fail the run unless pnpm-workspace.yaml's `auditConfig` explains each one.
# Where the advisory database cannot be reached (some networks allow the registry's downloads only),
# the run says so loudly and goes on: the audit did not run, it did not pass.
audit_dependencies() {
  say "dependency audit (pnpm audit --audit-level high)"
  local out status=0
  out=$(pnpm audit --audit-level high 2>&1) || status=$?
  if [ "$status" -eq 0 ]; then
    printf '%s\n' "$out" | tail -n 3 >&2
    return
  fi
  if printf '%s' "$out" | grep -Eq 'ERR_PNPM_AUDIT_BAD_RESPONSE|ERR_PNPM_AUDIT_ENDPOINT|ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN'; then
    say "WARNING: NO AUDIT RAN: the advisory database could not be reached ($(printf '%s' "$out" | grep -Eo 'responded with [0-9]+|E[A-Z_]{4,}' | head -n 1))"
    return
  fi
  printf '%s\n' "$out" >&2
  say "high or critical advisories: upgrade, or explain each under auditConfig in pnpm-workspace.yaml"
  exit 1
}

require_redis_url() {
  if [ -z "${REDIS_URL:-}" ]; then
    say "$1 needs REDIS_URL (for example redis://127.0.0.1:6379); without Redis use: npm start"
    exit 2
  fi
}

case "${1:-}" in
  start)
    ensure_pnpm
    ensure_deps
    build_web
    if [ -n "${REDIS_URL:-}" ]; then export EMBEDDED_WORKER="${EMBEDDED_WORKER:-1}"; fi
    exec pnpm --silent --filter @threadcast/server start
    ;;
  start:server)
    require_redis_url "start:server"
    ensure_pnpm
    ensure_deps
    build_web
    exec pnpm --silent --filter @threadcast/server start
    ;;
  start:worker)
    require_redis_url "start:worker"
    ensure_pnpm
    ensure_deps
    exec pnpm --silent --filter @threadcast/worker start
    ;;
  test)
    started=$(date +%s)
    ensure_pnpm
    ensure_apt
    ensure_deps
    log=$(mktemp)
    trap 'rm -f "$log"' EXIT
    export NO_COLOR=1 FORCE_COLOR=0
    say "lint"
    pnpm exec biome ci .
    audit_dependencies
    say "typecheck, unit and integration tests, build"
    pnpm exec turbo run typecheck test build --output-logs=new-only | tee "$log"
    say "docker-compose.yml: the default stack and the embedded, cluster and sentinel profiles"
    bash scripts/check-compose.sh
    say "end-to-end tests in Chromium"
    pnpm --filter @threadcast/e2e e2e | tee -a "$log"
    say "published packages (publint, attw) and the example apps, installed from the packed tarballs"
    bash scripts/examples.sh | tee -a "$log"
    say "benchmark smoke run (pnpm bench --quick): every variant runs, ours delivers exactly once"
    pnpm bench --quick
    say "heap census smoke run (pnpm bench:heap --streams=200): snapshots of our server and the Node floor are taken and read"
    pnpm bench:heap --streams=200
    say "soak smoke run (pnpm soak --duration=25s --streams=300 --life=1-5): exact delivery; fds, Redis connections and memory come back or stay bounded"
    pnpm soak --duration=25s --streams=300 --life=1-5
    # Every suite passed (a failure stops this script): add up what the runners counted.
    passed=$(awk '/Tests +[0-9]+ passed/ { for (i = 1; i < NF; i++) if ($(i + 1) == "passed") n += $i }
                  /^ +[0-9]+ passed \(/ { n += $1 } END { print n + 0 }' "$log")
    say "all suites passed in $(( $(date +%s) - started ))s"
    echo "tests: ${passed} passed, 0 failed"
    ;;
  *)
    echo "usage: $0 start | start:server | start:worker | test" >&2
    exit 2
    ;;
esac
