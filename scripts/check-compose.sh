#!/usr/bin/env bash
# Validates docker-compose.yml without a Docker engine: the default stack and each profile resolve
# (`docker-compose config`), and each profile's servers and workers name the Redis that profile starts
# (scripts/check-compose.py). Part of `npm test`; runs alone in a second: bash scripts/check-compose.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# The file requires AUTH_SECRET; a throw-away value lets it be checked without one.
export AUTH_SECRET="${AUTH_SECRET:-$(head -c 32 /dev/urandom | base64)}"

docker-compose -f docker-compose.yml config --quiet
for profile in embedded cluster sentinel; do
  docker-compose -f docker-compose.yml --profile "$profile" config --quiet
done
docker-compose -f docker-compose.yml --profile embedded --profile cluster --profile sentinel config |
  python3 scripts/check-compose.py
