#!/usr/bin/env bash
# The benchmark run on the GPU machine (device tool), after `bash bench/pack.sh` here:
#   carry [".gpu", "dist"]; command: bash bench/h100.sh [models|transformers|conv|all]
# transformers: resnet50, convnext_tiny, vit_b_16, a BERT-base-sized encoder and the tiny ViT (issue #12),
# exported and timed in PyTorch (eager fp32, CUDA graph fp32 / TF32) by bench/transformer_models.py.
# Exports the models there with PyTorch (seeded random weights, static sizes), then runs wgml,
# PyTorch eager (fp32, TF32 off; TF32 on for the U-Net) and ONNX Runtime Web's WebGPU EP on the
# same Dawn device, one JSON line each, into $OUT.
set -uo pipefail
source .gpu/enter.sh >/dev/null
what=${1:-models}
M=/tmp/models; mkdir -p $M $OUT
nvidia-smi --query-gpu=name,driver_version,clocks.sm --format=csv,noheader | tee $OUT/gpu.txt
node dist/cli/main.js info | head -3 | tee -a $OUT/gpu.txt
if [ "$what" = models ] || [ "$what" = all ]; then
  python3 scripts/export_models.py $M --static 224x224 2>&1 | grep -v Warning | tail -8
  python3 bench/torch_baseline.py 100 2>&1 | tee $OUT/torch.jsonl
  for m in squeezenet1_1 resnet18 mobilenet_v2 mobilenet_v3_small efficientnet_b0 shufflenet_v2_x0_5 unet; do
    node dist/cli/main.js bench $M/$m.onnx --runs 100 --warmup 20 --json 2>&1 | grep '^{' | tee -a $OUT/wgml.jsonl
  done
  if [ -f .gpu/ort.tar.xz ] && [ -z "${SKIP_ORT:-}" ]; then
    mkdir -p /tmp/ortweb && tar -xJf .gpu/ort.tar.xz -C /tmp/ortweb
    for d in node_modules/*; do [ -e /tmp/ortweb/$d ] || ln -s $PWD/$d /tmp/ortweb/$d; done
    for m in squeezenet1_1 resnet18 mobilenet_v2 mobilenet_v3_small efficientnet_b0 shufflenet_v2_x0_5 unet; do
      (cd /tmp/ortweb && timeout 120 node peers/ort_bench.mjs $M/$m.onnx webgpu 30 > /tmp/ort_$m.log 2>&1; grep '^{' /tmp/ort_$m.log | tee -a $OUT/ort.jsonl; grep -v "^{" /tmp/ort_$m.log | tail -3 >> /tmp/ort_errors.txt)
    done
  fi
fi
if [ "$what" = transformers ] || [ "$what" = all ]; then
  T=/tmp/tmodels; mkdir -p $T
  python3 bench/transformer_models.py $T --runs ${TORCH_RUNS:-100} ${TMODELS:-} 2>&1 | grep -v Warning | tee $OUT/torch-transformers.jsonl
  for m in ${TMODELS:-resnet50 convnext_tiny vit_b_16 bert_encoder vit_tiny}; do
    node dist/cli/main.js bench $T/$m.onnx --runs 100 --warmup 20 --json 2>&1 | grep '^{' | tee -a $OUT/wgml-transformers.jsonl
  done
  if [ -f .gpu/ort.tar.xz ] && [ -z "${SKIP_ORT:-}" ]; then
    mkdir -p /tmp/ortweb && tar -xJf .gpu/ort.tar.xz -C /tmp/ortweb
    for d in node_modules/*; do [ -e /tmp/ortweb/$d ] || ln -s $PWD/$d /tmp/ortweb/$d; done
    for m in ${TMODELS:-resnet50 convnext_tiny vit_b_16 bert_encoder}; do
      (cd /tmp/ortweb && timeout 150 node peers/ort_bench.mjs $T/$m.onnx webgpu 30 > /tmp/ort_$m.log 2>&1; grep '^{' /tmp/ort_$m.log | tee -a $OUT/ort-transformers.jsonl; grep -v "^{" /tmp/ort_$m.log | tail -3 >> /tmp/ort_errors.txt)
    done
  fi
fi
if [ "$what" = conv ] || [ "$what" = all ]; then
  [ -f dist/bench/conv-kernels.js ] && node dist/bench/conv-kernels.js --reps 20 2>&1 | tail -40 | tee $OUT/conv.txt
fi
