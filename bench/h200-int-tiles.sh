#!/usr/bin/env bash
# The integer tiles' default inside whole networks, on the H200, one device call (~5 min). Call d of
# bench/quant-2026-12-05/ timed the dot4 tile variants alone (bk32pfv4 fastest at five of six sizes); call e then
# measured BERT's MatMulIntegers slower inside the network than call d had with bk16, on another machine. This settles
# it in one call: `wgml bench --int-tile V` for V in bk16, bk16v4, bk32pfv4, bk32pfv4pb (packed B staged a word at a
# time, transposed in registers: four times fewer B loads; not yet timed anywhere) and --int-matrix, rotating the order over
# ROUNDS rounds (default 3), on the quantized encoders and ResNet-18 in both formats (the last commit of 2026-12-05,
# which fuses the quantization ops into elementwise chains, is measured here too: dispatches and GPU ms).
# Here first: `npx tsc -p . && bash ../shared/gpu/pack.sh`; carry [".gpu", "dist"]. Output: $OUT/log, $OUT/bench.jsonl.
set -uo pipefail
[ -f .gpu/enter.sh ] && source .gpu/enter.sh >/dev/null
mkdir -p "$OUT"
M=/tmp/qmodels; mkdir -p $M
{
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
timeout 120 python3 bench/transformer_models.py $M --no-torch bert_encoder 2>&1 | grep '^{'
timeout 120 python3 -c "
from onnxruntime.quantization import quantize_dynamic, QuantType
quantize_dynamic('$M/bert_encoder.onnx', '$M/bert_ortq.onnx', weight_type=QuantType.QInt8)" 2>&1 | grep -v -i warning | tail -2
timeout 60 node bench/quant/quantize-dynamic.mjs $M/bert_encoder.onnx $M/bert_q.onnx
timeout 150 python3 scripts/export_models.py $M --static 224x224 resnet18 2>&1 | grep -v Warning | tail -1
timeout 200 python3 bench/quant/resnet18-quant.py $M 2>&1 | grep -v -i warning | tail -2
variants=(bk16 bk16v4 bk32pfv4 bk32pfv4pb matrix)
for round in $(seq 1 ${ROUNDS:-3}); do
  for m in bert_q bert_ortq resnet18_q resnet18_qdq; do
    [ -f $M/$m.onnx ] || { echo "no $m.onnx"; continue; }
    n=${#variants[@]}
    for k in $(seq 0 $((n - 1))); do
      v=${variants[$(( (k + round) % n ))]}
      if [ $v = matrix ]; then flag=--int-matrix; else flag="--int-tile $v"; fi
      timeout 120 node dist/cli/main.js bench $M/$m.onnx $flag --runs 50 --warmup 10 --json 2>/dev/null | grep '^{' \
        | python3 -c "import json,sys; d=json.loads(sys.stdin.read()); print(json.dumps({'round': $round, 'model': '$m', 'tile': '$v', 'gpuMs': d['gpuMs'], 'dispatches': d['dispatches']}))" | tee -a "$OUT/bench.jsonl"
    done
  done
done
} 2>&1 | tee "$OUT/log"
