#!/usr/bin/env bash
# CPU profile of one `rmq-forensics analyze` run on a generated bundle; prints the top 15
# self-time functions. `npm run bench:profile -- [--size 100M] [--seed 1] [--bundle DIR] [--keep]`
#
#   --bundle DIR   profile an existing bundle instead of generating one
#   --keep         keep the generated bundle and the .cpuprofile (printed paths)
# The .cpuprofile can also be opened in Chrome DevTools (Performance tab) or speedscope.
set -euo pipefail
cd "$(dirname "$0")/.."

size=100M seed=1 bundle="" keep=0 top=15
while [ $# -gt 0 ]; do
  case "$1" in
    --size) size=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --bundle) bundle=$2; shift 2 ;;
    --top) top=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "usage: bench/profile.sh [--size 100M] [--seed 1] [--bundle DIR] [--top 15] [--keep]" >&2; exit 2 ;;
  esac
done

[ -f dist/src/cli/main.js ] || { echo "dist/ is missing; run npm run build first" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/rmq-profile-XXXXXX")
cleanup() { if [ "$keep" = 0 ]; then rm -rf "$work"; else echo "kept: $work" >&2; fi; }
trap cleanup EXIT

if [ -z "$bundle" ]; then
  bundle="$work/bundle"
  node bench/generate.mjs --size "$size" --seed "$seed" --out "$bundle" > "$work/incident.json"
fi

start=$(date +%s.%N)
# (the modules, not the bundle: each function is then named with its own file and line; on the
# main thread, which is the one profiled)
RMQ_FORENSICS_BUNDLE=0 RMQ_FORENSICS_THREAD=0 node --cpu-prof --cpu-prof-dir="$work/prof" --cpu-prof-interval 500 bin/rmq-forensics.js analyze "$bundle" --format json --tz Asia/Shanghai > "$work/report.json"
end=$(date +%s.%N)
awk -v a="$start" -v b="$end" 'BEGIN { printf "analyze took %.2f s (under the profiler)\n", b - a }' >&2
prof=$(ls "$work"/prof/*.cpuprofile | head -1)
node bench/cpuprofile-top.mjs "$prof" "$top"
