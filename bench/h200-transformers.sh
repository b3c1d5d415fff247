#!/usr/bin/env bash
# Issue #12 on the GPU machine, one device call (< 10 min), after `bash bench/pack.sh` here:
#   carry [".gpu", "dist"]; command: bash bench/h200-transformers.sh [gemm] [attention] [models] [plan]
# gemm: the GEMM configuration sweep and PyTorch on the same shapes; attention: the fused kernel's sweep
# and PyTorch SDPA; models: the transformer models (bench/transformer_models.py) in PyTorch and wgml;
# plan: createPipeline for a second sequence length (bench/plan-time.ts). Everything goes to $OUT/log,
# JSON lines to $OUT/*.jsonl.
set -uo pipefail
source .gpu/enter.sh >/dev/null
mkdir -p "$OUT"
what=${*:-gemm attention models plan}
T0=$(date +%s)
left() { echo $(( ${BUDGET:-570} - ($(date +%s) - T0) )); }
{
nvidia-smi --query-gpu=name,driver_version,clocks.sm --format=csv,noheader
node dist/cli/main.js info | head -3
for w in $what; do
  echo "=== $w ($(left) s left)"
  case $w in
    gemm)
      timeout 200 node dist/bench/gemm-kernels.js --json "$OUT/gemm.jsonl" --deadline 150 2>&1 | grep -v '^Warning'
      timeout 60 python3 bench/gemm_torch.py --json "$OUT/gemm_torch.jsonl" 2>&1 | grep -v Warning ;;
    attention)
      timeout 90 node dist/bench/attention.js 2>&1 | grep -v '^Warning'
      timeout 40 python3 bench/torch_attention.py 2>&1 | grep -v Warning ;;
    models)
      M=/tmp/tmodels; mkdir -p $M
      timeout 200 python3 bench/transformer_models.py $M --runs ${TORCH_RUNS:-50} ${TMODELS:-} 2>&1 | grep -v Warning | tee -a "$OUT/torch-transformers.jsonl"
      for m in ${TMODELS:-bert_encoder vit_b_16 convnext_tiny vit_tiny resnet50}; do
        [ "$(left)" -lt 40 ] && { echo "skipped $m: out of time"; continue; }
        timeout 120 node dist/cli/main.js bench $M/$m.onnx --runs 50 --warmup 10 --json 2>&1 | grep '^{' | tee -a "$OUT/wgml-transformers.jsonl"
      done ;;
    plan)
      mkdir -p test/.cache/blocks
      timeout 90 python3 scripts/export_blocks.py test/.cache/blocks bert_base_dyn 2>&1 | grep -v Warning | tail -2
      timeout 90 node dist/bench/plan-time.js --gpu 2>&1 | grep -v '^Warning' ;;
  esac
done
echo "=== done in $(( $(date +%s) - T0 )) s"
} 2>&1 | tee "$OUT/log"
