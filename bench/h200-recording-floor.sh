#!/usr/bin/env bash
# Issue 18 on the H200's host CPU, one device call (~6 min). Here first: `npx tsc -p . && bash ../shared/gpu/pack.sh`;
# then carry [".gpu", "dist"], command `bash bench/h200-recording-floor.sh`.
# 1. floor.jsonl: per network, encodeNetwork (shared recording) against a bare loop of the same Dawn calls and against
#    dispatches alone (bench/recording-floor.mjs): how much of recording is wgml's and how much Dawn-node's.
# 2. bench.jsonl: `wgml bench --json` in both recordings (MODES=shared: that one only), ROUNDS rounds (default 2) in alternating order (GPU ms, encode µs per
#    dispatch, pipelines, createPipeline ms), so drift in the machine's speed falls on both modes alike.
# Then, with what is left of BUDGET, bench/materials-h200.sh ablations: MATERIALS="sets|ablate;sets|ablate" (its SETS and
# ABLATE), into $OUT/materials/.
set -uo pipefail
source bench/h200-recording-common.sh
dims() { [ "$1" = bert_encoder ] && echo 1,128,768 || echo 1,3,224,224; }
{
export_nets
echo "=== floor ($(left) s left)"
for m in $NETS; do timeout 60 node bench/recording-floor.mjs $C/$m.onnx $(dims $m) 2>&1 | grep '^{' | tee -a "$OUT/floor.jsonl"; done
echo "=== wgml bench, both recordings, two rounds ($(left) s left)"
for round in $(seq 1 ${ROUNDS:-2}); do
  for m in $NETS; do
    [ "$(left)" -lt 60 ] && break 2
    if [ $(( round % 2 )) = 1 ]; then modes="groups shared"; else modes="shared groups"; fi
    modes=${MODES:-$modes}
    for r in $modes; do B $C/$m.onnx --recording $r | tee -a "$OUT/bench.jsonl"; done
  done
done
echo "=== recording done in $(( $(date +%s) - T0 )) s"
} 2>&1 | tee "$OUT/log"
IFS=';' read -ra groups <<< "${MATERIALS:-}"
for g in "${groups[@]}"; do
  [ "$(left)" -gt 40 ] || break
  SETS="${g%%|*}" ABLATE="${g#*|}" BUDGET=$(( $(left) - 10 )) OUT=$OUT/materials bash bench/materials-h200.sh > /dev/null 2>&1
done
[ -f "$OUT/materials/compress.jsonl" ] && cat "$OUT/materials/compress.jsonl"
echo "total $(( $(date +%s) - T0 )) s"
