#!/usr/bin/env bash
# Issue 18 on the H200 in one device call (< 6 min), after `bash bench/pack.sh` here:
#   carry [".gpu", "dist"]; command: bash bench/h200-recording.sh
# Per network: GPU time and encodeNetwork CPU time with per-dispatch bind groups and with shared recording
# (wgml bench --recording), then, for EfficientNet-B0 (where shared recording was slower), per node in both modes.
set -uo pipefail
source .gpu/enter.sh >/dev/null
mkdir -p "$OUT"
T0=$(date +%s); BUDGET=${BUDGET:-330}
left() { echo $(( BUDGET - ($(date +%s) - T0) )); }
M=/tmp/tmodels; C=/tmp/models; mkdir -p $M $C
B() { timeout 60 node dist/cli/main.js bench "$@" --runs 50 --warmup 10 --json 2>&1 | grep '^{' | python3 -c "
import json,sys
for l in sys.stdin:
  d=json.loads(l); print(json.dumps({k:d.get(k) for k in ('model','recording','gpuMs','gpuMsMin','encodeUs','encodeUsPerDispatch','dispatches','pipelines','createPipelineMs')}))"; }
{
timeout 100 python3 bench/transformer_models.py $M bert_encoder --no-torch 2>&1 | grep '^{'
timeout 100 python3 scripts/export_models.py $C --static 224x224 resnet18 efficientnet_b0 mobilenet_v2 2>&1 | grep -v Warning | tail -1
echo "=== per node, efficientnet_b0 ($(left) s left)"
for r in groups shared; do
  timeout 70 node dist/bench/model-nodes.js $C/efficientnet_b0.onnx --recording $r --reps 10 --json "$OUT/nodes.jsonl" 2>&1 | grep -v '^Warning'
done
echo "=== whole networks: groups / shared ($(left) s left)"
for m in $C/resnet18 $C/mobilenet_v2 $M/bert_encoder; do
  [ "$(left)" -lt 40 ] && break
  B $m.onnx --recording groups
  B $m.onnx --recording shared
done
echo "=== done in $(( $(date +%s) - T0 )) s"
} 2>&1 | tee "$OUT/log"
