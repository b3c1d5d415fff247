#!/usr/bin/env bash
# Issue 18 on the H200's host CPU, one device call (~6 min). Here first: `npx tsc -p . && bash ../shared/gpu/pack.sh`;
# then carry [".gpu", "dist"], command `bash bench/h200-recording-floor.sh`.
# 1. floor.jsonl: per network, encodeNetwork (shared recording) against a bare loop of the same Dawn calls and against
#    dispatches alone (bench/recording-floor.mjs): how much of recording is wgml's and how much Dawn-node's.
# 2. bench.jsonl: `wgml bench --json` in both recordings, ROUNDS rounds (default 2) in alternating order (GPU ms, encode µs per
#    dispatch, pipelines, createPipeline ms), so drift in the machine's speed falls on both modes alike.
# Then, with what is left of BUDGET, bench/materials-h200.sh ablations: MATERIALS="sets|ablate;sets|ablate" (its SETS and
# ABLATE), into $OUT/materials/.
set -uo pipefail
[ -f .gpu/enter.sh ] && source .gpu/enter.sh >/dev/null
mkdir -p "$OUT"
T0=$(date +%s); BUDGET=${BUDGET:-540}
left() { echo $(( BUDGET - ($(date +%s) - T0) )); }
C=/tmp/models; mkdir -p $C
NETS=${NETS:-resnet18 mobilenet_v2 efficientnet_b0 resnet50 vit_b_16 bert_encoder}
dims() { [ "$1" = bert_encoder ] && echo 1,128,768 || echo 1,3,224,224; }
B() { timeout 90 node dist/cli/main.js bench "$@" --runs 50 --warmup 10 --json 2>&1 | grep '^{' | python3 -c "
import json,sys
for l in sys.stdin:
  d=json.loads(l); print(json.dumps({k:d.get(k) for k in ('model','recording','gpuMs','gpuMsMin','encodeUs','encodeUsPerDispatch','dispatches','pipelines','createPipelineMs')}))"; }
{
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader; lscpu | grep -E 'Model name|^CPU\(s\)'
cv=$(for m in $NETS; do case $m in resnet50|vit_tiny|bert_encoder|convnext_tiny|vit_b_16) ;; *) echo $m;; esac; done)
tv=$(for m in $NETS; do case $m in resnet50|vit_tiny|bert_encoder|convnext_tiny|vit_b_16) echo $m;; esac; done)
[ -n "$cv" ] && timeout 150 python3 scripts/export_models.py $C --static 224x224 $cv 2>&1 | grep -v Warning | tail -1
[ -n "$tv" ] && timeout 150 python3 bench/transformer_models.py $C $tv --no-torch 2>&1 | grep '^{'
echo "=== floor ($(left) s left)"
for m in $NETS; do timeout 60 node bench/recording-floor.mjs $C/$m.onnx $(dims $m) 2>&1 | grep '^{' | tee -a "$OUT/floor.jsonl"; done
echo "=== wgml bench, both recordings, two rounds ($(left) s left)"
for round in $(seq 1 ${ROUNDS:-2}); do
  for m in $NETS; do
    [ "$(left)" -lt 60 ] && break 2
    if [ $(( round % 2 )) = 1 ]; then modes="groups shared"; else modes="shared groups"; fi
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
