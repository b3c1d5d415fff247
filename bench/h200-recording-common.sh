# Sourced by bench/h200-recording-floor.sh and bench/h200-split-pairs.sh (issue 18): the device environment, $OUT,
# the time budget (`left` prints the seconds remaining of BUDGET, default 540), the networks (NETS) in $C, `B` (a
# `wgml bench --json` line cut to the recording figures) and `export_nets` (the host, then NETS exported to $C).
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
export_nets() {
  nvidia-smi --query-gpu=name,driver_version --format=csv,noheader; lscpu | grep -E 'Model name|^CPU\(s\)'
  local cv tv
  cv=$(for m in $NETS; do case $m in resnet50|vit_tiny|bert_encoder|convnext_tiny|vit_b_16) ;; *) echo $m;; esac; done)
  tv=$(for m in $NETS; do case $m in resnet50|vit_tiny|bert_encoder|convnext_tiny|vit_b_16) echo $m;; esac; done)
  [ -n "$cv" ] && timeout 150 python3 scripts/export_models.py $C --static 224x224 $cv 2>&1 | grep -v Warning | tail -1
  [ -n "$tv" ] && timeout 150 python3 bench/transformer_models.py $C $tv --no-torch 2>&1 | grep '^{'
  return 0
}
