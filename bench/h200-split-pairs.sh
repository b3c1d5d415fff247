#!/usr/bin/env bash
# Issue 18, split-K pairs on the H200 (one device call, ~3 min): `wgml bench --json` with shared recording and each of
# MODES (default "conv none all": which split-K GEMMs put their two dispatches in one pipeline, --split-k-pairs),
# ROUNDS rounds (default 2), the order of the modes rotating per round so the host's drift falls on all alike: GPU ms,
# encode µs, dispatches, setPipeline calls, pipelines, createPipeline ms. Here first: `npx tsc -p . && bash ../shared/gpu/pack.sh`; then carry [".gpu", "dist"],
# command `bash bench/h200-split-pairs.sh`. Output: $OUT/bench.jsonl, $OUT/log.
set -uo pipefail
source bench/h200-recording-common.sh
{
export_nets
read -ra M <<< "${MODES:-conv none all}"
for round in $(seq 1 ${ROUNDS:-2}); do
  echo "=== round $round ($(left) s left)"
  k=$(( (round - 1) % ${#M[@]} )); modes="${M[*]:k} ${M[*]:0:k}"
  for m in $NETS; do
    [ "$(left)" -lt 45 ] && break 2
    for p in $modes; do B $C/$m.onnx --recording shared --split-k-pairs $p | sed "s/^{/{\"pairs\": \"$p\", \"round\": $round, /" | tee -a "$OUT/bench.jsonl"; done
  done
done
echo "total $(( $(date +%s) - T0 )) s"
} 2>&1 | tee "$OUT/log"
