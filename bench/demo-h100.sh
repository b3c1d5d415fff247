#!/usr/bin/env bash
# The showcase frame timed per pass (G-buffer, material decode, network, lighting; medians of 50
# frames from timestamp queries) at 1080p and 4K on a real GPU. Run on the H100 box:
#   source .gpu/enter.sh && bash bench/demo-h100.sh
set -uo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-bench/results-demo-$(date +%Y-%m-%d)}"
mkdir -p "$out"
[ -f dist/cli/main.js ] || npx tsc -p .
node dist/cli/main.js demo --size 1920x1080 --frames 50 --json --out "$out/frame-1080p.png" | tee "$out/demo-1080p.json"
node dist/cli/main.js demo --size 3840x2160 --frames 50 --json --out "$out/frame-4k.png" | tee "$out/demo-4k.json"
node dist/cli/main.js demo --size 1920x1080 --frames 1 --compare --out "$out/compare-1080p.png" | tee "$out/compare-1080p.txt"
