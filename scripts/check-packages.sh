#!/usr/bin/env bash
# Packs each published package as npm would receive it (`pnpm pack`: workspace versions and publishConfig applied),
# then checks the tarball with publint and @arethetypeswrong/cli. Leaves the tarballs in the given folder.
#   bash scripts/check-packages.sh [out-dir]      (default: .packs)
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-.packs}")
rm -rf "$out" && mkdir -p "$out"
for pkg in contract client react playwright; do
  dir="packages/$pkg"
  [ -d "$dir/dist" ] || { echo "$dir has no build: run pnpm build first" >&2; exit 1; }
  tarball=$(cd "$dir" && pnpm pack --pack-destination "$out" --json | node -e 'let s="";process.stdin.on("data",(c)=>{s+=c}).on("end",()=>{console.log(JSON.parse(s).filename)})')
  unpacked=$(mktemp -d)
  tar -xzf "$tarball" -C "$unpacked"
  pnpm exec publint run "$unpacked/package" --strict --pack false
  rm -rf "$unpacked"
  pnpm exec attw "$tarball" --profile esm-only --format table-flipped
  printf '%s: %s packed, %s gzipped JS\n' "@threadcast/$pkg" "$(wc -c <"$tarball" | awk '{ printf "%.1f kB", $1 / 1000 }')" \
    "$(tar -xzOf "$tarball" --wildcards 'package/dist/*.js' | gzip -9 | wc -c | awk '{ printf "%.1f kB", $1 / 1000 }')"
done
