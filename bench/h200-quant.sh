#!/usr/bin/env bash
# Quantized models on the H200, one device call (~4 min), after `npx tsc -p . && bash ../shared/gpu/pack.sh` here.
# Its error lines (compare.mjs) need onnxruntime-node, which does not travel (288 MiB): bench/h200-quant-check.sh
# measures the same against onnxruntime's Python package on the device and supersedes this script.
#   carry [".gpu", "dist"]; command: bash bench/h200-quant.sh
# 1. the BERT-sized encoder of bench/transformer_models.py, float, then quantized two ways: by onnxruntime's own
#    quantize_dynamic (Python there) and by bench/quant/quantize-dynamic.mjs (its MatMul rewrite, in Node);
# 2. each checked against onnxruntime (CPU) on one input (max |wgml − ort| / max |ort|; quantized models differ
#    where an activation lands on the other side of a quantization step, ~1e-2 after 12 layers);
# 3. `wgml bench` GPU time and dispatches of all three (MatMulInteger on 64×64 i32 tiles, not tensor cores);
# 4. the float encoder again with float16 weights (--weights f16);
# 5. ResNet-18 float and quantized by onnxruntime's quantize_static (QOperator), checked and benched.
# Output: $OUT/log and $OUT/bench.jsonl.
set -uo pipefail
source .gpu/enter.sh >/dev/null
mkdir -p "$OUT"
M=/tmp/qmodels; mkdir -p $M
{
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
timeout 120 python3 bench/transformer_models.py $M --no-torch bert_encoder 2>&1 | grep '^{'
timeout 120 python3 -c "
from onnxruntime.quantization import quantize_dynamic, QuantType
quantize_dynamic('$M/bert_encoder.onnx', '$M/bert_ortq.onnx', weight_type=QuantType.QInt8)
print('onnxruntime quantize_dynamic done')" 2>&1 | grep -v Warning | tail -2
timeout 60 node bench/quant/quantize-dynamic.mjs $M/bert_encoder.onnx $M/bert_q.onnx
for m in bert_encoder bert_ortq bert_q; do
  [ -f $M/$m.onnx ] || { echo "no $m.onnx"; continue; }
  timeout 120 node bench/coverage/compare.mjs $M/$m.onnx 2>&1 | grep '^RESULT'
  timeout 120 node dist/cli/main.js bench $M/$m.onnx --runs 50 --warmup 10 --json 2>&1 | grep '^{' | tee -a "$OUT/bench.jsonl"
done
# 4. the float encoder with its weights stored as float16 (createPipeline's weights: 'f16'): half the weights,
#    the error it costs, and the GPU time beside the f32 weights' above.
WEIGHTS=f16 timeout 120 node bench/coverage/compare.mjs $M/bert_encoder.onnx 2>&1 | grep '^RESULT' | sed 's/^RESULT/RESULT weights f16/'
timeout 120 node dist/cli/main.js bench $M/bert_encoder.onnx --weights f16 --runs 50 --warmup 10 --json 2>&1 | grep '^{' | sed 's/^{/{"weights":"f16",/' | tee -a "$OUT/bench.jsonl"
# 5. a quantized CNN in onnxruntime's QOperator format (quantize_static: QLinearConv on uint8 activations, int8
#    weights per channel), calibrated on random images: the convolutions run on the dot4 implicit-GEMM tiles.
timeout 150 python3 scripts/export_models.py $M --static 224x224 resnet18 2>&1 | grep -v Warning | tail -1
timeout 200 python3 bench/quant/resnet18-quant.py $M 2>&1 | grep -v Warning | tail -2
for m in resnet18 resnet18_q; do
  [ -f $M/$m.onnx ] || { echo "no $m.onnx"; continue; }
  timeout 120 node bench/coverage/compare.mjs $M/$m.onnx 1 224 2>&1 | grep '^RESULT'
  timeout 120 node dist/cli/main.js bench $M/$m.onnx --runs 50 --warmup 10 --json 2>&1 | grep '^{' | tee -a "$OUT/bench.jsonl"
done
} 2>&1 | grep -v '^Warning' | tee "$OUT/log"
