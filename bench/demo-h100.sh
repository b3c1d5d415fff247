#!/usr/bin/env bash
# The showcase frame timed per pass (G-buffer, material decode, network, lighting; medians from
# timestamp queries) on a real GPU. The G-buffer is the compute path (one primary ray per pixel:
# the H100 has few graphics units, so its raster pass is slow) at 1080p and 4K over 50 frames; one
# raster run at 1080p (20 frames) is kept for comparison. Run on the H100 box:
#   source .gpu/enter.sh && bash bench/demo-h100.sh
# Writes at most 5 files into $OUT: demo.jsonl (one compact JSON result per run, with its
# "gbuffer" path), summary.txt (per-pass tables), frame-1080p-compute.png, frame-1080p-raster.png,
# compare-1080p.png (no AO | network AO | ray-cast AO, lit over the AO maps). Other images go to a temp dir.
set -uo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-bench/results-demo-$(date +%Y-%m-%d)}"
# Sizes and frame count overridable only for a smoke run on a software GPU.
hd="${DEMO_HD:-1920x1080}" uhd="${DEMO_UHD:-3840x2160}" n="${DEMO_FRAMES:-50}" nr="${DEMO_RASTER_FRAMES:-20}"
mkdir -p "$out"
tmp="$(mktemp -d)"
# Rebuild when dist is missing or older than any source (type errors elsewhere still emit).
if [ ! -f dist/demo/gbuffer-compute.js ] || [ -n "$(find src -name '*.ts' -newer dist/cli/main.js | head -1)" ]; then
  npx tsc -p . >"$tmp/tsc.log" 2>&1 || echo "tsc reported errors (output emitted anyway): $(head -3 "$tmp/tsc.log")" >&2
fi
jsonl="$out/demo.jsonl"
: >"$jsonl"
run() { # label, then wgml demo arguments; appends one JSON line tagged with the label
  local label="$1"; shift
  node dist/cli/main.js demo --json "$@" >"$tmp/run.json" || { echo "{\"run\":\"$label\",\"failed\":true}" >>"$jsonl"; return; }
  node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(JSON.stringify({ run: process.argv[2], ...r }));' "$tmp/run.json" "$label" >>"$jsonl"
}
run compute-1080p --gbuffer compute --size "$hd" --frames "$n" --out "$out/frame-1080p-compute.png"
run compute-4k --gbuffer compute --size "$uhd" --frames "$n" --out "$tmp/frame-4k-compute.png"
run raster-1080p --gbuffer raster --size "$hd" --frames "$nr" --out "$out/frame-1080p-raster.png"
run compare-compute-1080p --gbuffer compute --size "$hd" --frames 1 --compare --out "$tmp/compare.png"
[ -f "$tmp/compare-compare.png" ] && cp "$tmp/compare-compare.png" "$out/compare-1080p.png"
node -e '
const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => JSON.parse(l));
for (const r of lines) {
  if (r.failed) { console.log(`${r.run}: FAILED`); continue; }
  const rows = Object.entries(r.medianMs), total = rows.reduce((a, [, v]) => a + v, 0);
  console.log(`${r.run} on ${r.device}: ${r.width}x${r.height}, ${r.gbuffer} G-buffer, AO ${r.ao}, median of ${r.frames} frame(s)`);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(16)} ${v.toFixed(3).padStart(9)} ms`);
  console.log(`  ${"total".padEnd(16)} ${total.toFixed(3).padStart(9)} ms${/1080p/.test(r.run) ? (total <= 4 ? "  (<= 4 ms target met)" : "  (> 4 ms target)") : ""}`);
  if (r.compare) console.log(`  AO vs ray-cast: MAE ${r.compare.mae.toFixed(4)}, PSNR ${r.compare.psnrDb.toFixed(2)} dB`);
}' "$jsonl" | tee "$out/summary.txt"
rm -rf "$tmp"
