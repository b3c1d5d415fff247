#!/usr/bin/env bash
# The closing measurements of 2026-12-02 in one device call (< 8 min), after `bash bench/pack.sh` here:
#   carry [".gpu", "dist"]; command: bash bench/h200-final.sh
# 1. transformer models (issue 12): PyTorch eager / CUDA graph, wgml (shared recording), ORT-web
# 2. the CNN and U-Net models of bench/RESULTS.md (no regression), wgml and PyTorch
# 3. recording cost (issue 18): resnet18 and the BERT-sized encoder with per-dispatch bind groups
# 4. the material decode as it now ships (expanded low-bit latents; issue 13)
# Everything in $OUT/log; JSON lines in $OUT/*.jsonl. Each step runs only while BUDGET seconds last.
set -uo pipefail
source .gpu/enter.sh >/dev/null
mkdir -p "$OUT"
T0=$(date +%s); BUDGET=${BUDGET:-440}
left() { echo $(( BUDGET - ($(date +%s) - T0) )); }
M=/tmp/tmodels; C=/tmp/models; mkdir -p $M $C
{
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
echo "=== transformers ($(left) s left)"
timeout 150 python3 bench/transformer_models.py $M --runs 50 2>&1 | grep '^{' | tee "$OUT/torch.jsonl"
for m in bert_encoder vit_b_16 convnext_tiny vit_tiny resnet50; do
  timeout 60 node dist/cli/main.js bench $M/$m.onnx --runs 50 --warmup 10 --json 2>&1 | grep '^{' | tee -a "$OUT/wgml.jsonl"
done
echo "=== recording groups ($(left) s left)"
for m in bert_encoder resnet50; do
  timeout 60 node dist/cli/main.js bench $M/$m.onnx --runs 50 --warmup 10 --recording groups --json 2>&1 | grep '^{' | tee -a "$OUT/wgml.jsonl"
done
echo "=== cnn ($(left) s left)"
if [ "$(left)" -gt 120 ]; then
  timeout 100 python3 scripts/export_models.py $C --static 224x224 2>&1 | grep -v Warning | tail -1
  for m in squeezenet1_1 resnet18 mobilenet_v2 mobilenet_v3_small efficientnet_b0 shufflenet_v2_x0_5 unet; do
    [ "$(left)" -lt 60 ] && break
    timeout 40 node dist/cli/main.js bench $C/$m.onnx --runs 50 --warmup 10 --json 2>&1 | grep '^{' | tee -a "$OUT/wgml.jsonl"
  done
  timeout 30 node dist/cli/main.js bench $C/resnet18.onnx --runs 50 --warmup 10 --recording groups --json 2>&1 | grep '^{' | tee -a "$OUT/wgml.jsonl"
fi
echo "=== material decode ($(left) s left)"
[ "$(left)" -gt 50 ] && timeout 45 node dist/shaderml/material/decode-bench.js 3840 2160 50 s2f12b2-f32 s2f12b2-int8 s2f12b2-f32-packed s2f16b8-f32 2>&1 | grep -v '^Warning'
echo "=== ort ($(left) s left)"
if [ -f .gpu/ort.tar.xz ] && [ "$(left)" -gt 60 ]; then
  mkdir -p /tmp/ortweb && tar -xJf .gpu/ort.tar.xz -C /tmp/ortweb
  for d in node_modules/*; do [ -e /tmp/ortweb/$d ] || ln -s $PWD/$d /tmp/ortweb/$d; done
  for m in bert_encoder vit_b_16 convnext_tiny resnet50; do
    [ "$(left)" -lt 45 ] && break
    (cd /tmp/ortweb && timeout 40 node peers/ort_bench.mjs $M/$m.onnx webgpu 20 2>&1 | grep '^{' | tee -a "$OUT/ort.jsonl")
  done
fi
echo "=== done in $(( $(date +%s) - T0 )) s"
} 2>&1 | tee "$OUT/log"
