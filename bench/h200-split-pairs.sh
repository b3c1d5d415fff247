#!/usr/bin/env bash
# Issue 18, split-K pairs on the H200 (one device call, ~3 min): `wgml bench --json` with shared recording and each of
# MODES (default "conv none all": which split-K GEMMs put their two dispatches in one pipeline, --split-k-pairs),
# ROUNDS rounds (default 2), the order of the modes rotating per round so the host's drift falls on all alike: GPU ms,
# encode µs, dispatches, setPipeline calls, pipelines, createPipeline ms. Here first: `npx tsc -p . && bash ../shared/gpu/pack.sh`; then carry [".gpu", "dist"],
# command `bash bench/h200-split-pairs.sh`. Output: $OUT/bench.jsonl, $OUT/log.
set -uo pipefail
[ -f .gpu/enter.sh ] && source .gpu/enter.sh >/dev/null
mkdir -p "$OUT"
T0=$(date +%s); BUDGET=${BUDGET:-540}
left() { echo $(( BUDGET - ($(date +%s) - T0) )); }
C=/tmp/models; mkdir -p $C
NETS=${NETS:-resnet18 mobilenet_v2 efficientnet_b0 resnet50 vit_b_16 bert_encoder}
B() { timeout 90 node dist/cli/main.js bench "$@" --runs 50 --warmup 10 --json 2>&1 | grep '^{' | python3 -c "
import json,sys
for l in sys.stdin:
  d=json.loads(l); print(json.dumps({k:d.get(k) for k in ('model','recording','gpuMs','gpuMsMin','encodeUs','encodeUsPerDispatch','dispatches','pipelineSets','pipelines','createPipelineMs')}))"; }
{
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader; lscpu | grep -E 'Model name|^CPU\(s\)'
cv=$(for m in $NETS; do case $m in resnet50|vit_tiny|bert_encoder|convnext_tiny|vit_b_16) ;; *) echo $m;; esac; done)
tv=$(for m in $NETS; do case $m in resnet50|vit_tiny|bert_encoder|convnext_tiny|vit_b_16) echo $m;; esac; done)
[ -n "$cv" ] && timeout 150 python3 scripts/export_models.py $C --static 224x224 $cv 2>&1 | grep -v Warning | tail -1
[ -n "$tv" ] && timeout 150 python3 bench/transformer_models.py $C $tv --no-torch 2>&1 | grep '^{'
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
