#!/usr/bin/env bash
# Quantized models on the H200 (2026-12-05). The first call of the day (bench/h200-quant.sh) printed no error figures,
# since onnxruntime-node does not travel (288 MiB): here the reference is onnxruntime in Python (numpy writes the input,
# `wgml run` the output, Python compares: max |wgml − ort| / max |ort|). Steps:
# 1. bench/quant/int-gemm-check.mjs --time: MatMulInteger exact against a CPU loop on the subgroup-matrix tiles and on
#    the dot4 tiles, then both timed at BERT sizes;
# 2. the BERT-sized encoder quantized by onnxruntime (quantize_dynamic) and by bench/quant/quantize-dynamic.mjs: error
#    against onnxruntime, `wgml bench` (the dot4 tiles), GPU time by op type (`wgml profile`);
# 3. with MODELS="resnet18 resnet18_q resnet18_qdq": ResNet-18 float and quantized by quantize_static in both formats.
# DOT4=1 first runs bench/quant/dot4-rate.mjs; SKIP_GEMM=1 leaves step 1 out.
# Here first: `npx tsc -p . && bash ../shared/gpu/pack.sh`; carry [".gpu", "dist"]. Output: $OUT/log, $OUT/bench.jsonl.
set -uo pipefail
[ -f .gpu/enter.sh ] && source .gpu/enter.sh >/dev/null
mkdir -p "$OUT"
M=/tmp/qmodels; mkdir -p $M
{
MODELS=${MODELS:-bert_ortq bert_q}
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
[ -n "${DOT4:-}" ] && timeout 60 node bench/quant/dot4-rate.mjs 2>&1 | grep '^{'
[ -z "${SKIP_GEMM:-}" ] && timeout 150 node bench/quant/int-gemm-check.mjs --time 2>&1 | grep -E '^(ok|FAIL|CHECK|TIME)'
if [[ "$MODELS" == *bert* ]]; then
timeout 120 python3 bench/transformer_models.py $M --no-torch bert_encoder 2>&1 | grep '^{'
timeout 120 python3 -c "
from onnxruntime.quantization import quantize_dynamic, QuantType
quantize_dynamic('$M/bert_encoder.onnx', '$M/bert_ortq.onnx', weight_type=QuantType.QInt8)" 2>&1 | grep -v -i warning | tail -2
timeout 60 node bench/quant/quantize-dynamic.mjs $M/bert_encoder.onnx $M/bert_q.onnx
fi
# 3. ResNet-18 quantized by onnxruntime's quantize_static, calibrated on random images, in both formats: QOperator
#    (QLinearConv plus the com.microsoft ops onnx/qoperator.ts rewrites) and QDQ
if [[ "$MODELS" == *resnet18* ]]; then
timeout 150 python3 scripts/export_models.py $M --static 224x224 resnet18 2>&1 | grep -v Warning | tail -1
timeout 200 python3 bench/quant/resnet18-quant.py $M 2>&1 | grep -v -i warning | tail -2
fi
for m in $MODELS; do
  [ -f $M/$m.onnx ] || { echo "no $m.onnx"; continue; }
  case $m in bert*) shape=1,128,768; d=input=1x128x768;; *) shape=1,3,224,224; d=input=1x3x224x224;; esac
  python3 -c "
import numpy as np, onnxruntime as ort
s = ort.InferenceSession('$M/$m.onnx', providers=['CPUExecutionProvider'])
x = np.random.default_rng(7).standard_normal(($shape,), dtype=np.float32)
np.save('/tmp/x_$m.npy', x)
np.save('/tmp/ref_$m.npy', s.run(None, {s.get_inputs()[0].name: x})[0])"
  rm -rf /tmp/o_$m; mkdir -p /tmp/o_$m
  timeout 120 node dist/cli/main.js run $M/$m.onnx --input input=/tmp/x_$m.npy --output-dir /tmp/o_$m 2>&1 | grep -iE 'error|refus' | tail -3
  python3 -c "
import numpy as np, glob
r = np.load('/tmp/ref_$m.npy'); f = glob.glob('/tmp/o_$m/*.npy')
if not f: print('RESULT $m no output'); raise SystemExit
g = np.load(f[0]).reshape(r.shape)
print('RESULT $m relerr %.2e  max|ref| %.2e  same argmax %s' % (np.abs(g - r).max() / np.abs(r).max(), np.abs(r).max(), g.reshape(-1).argmax() == r.reshape(-1).argmax()))"
  timeout 120 node dist/cli/main.js bench $M/$m.onnx --runs 50 --warmup 10 --json 2>&1 | grep '^{' | tee -a "$OUT/bench.jsonl"
  timeout 120 node dist/cli/main.js profile $M/$m.onnx --dims $d --json > "$OUT/profile-$m.json" 2>/dev/null
  echo "== GPU time by op, $m"
  python3 -c "
import json, collections
s = open('$OUT/profile-$m.json').read(); p = json.loads(s[s.rindex('{', 0, s.index('passes')):])['passes']; t = collections.Counter(); n = collections.Counter()
for q in p: t[q['op']] += (q['endNs'] - q['startNs']) / 1e3; n[q['op']] += 1
print('total %.1f us in %d passes' % (sum(t.values()), len(p)))
for k, v in t.most_common(10): print('%10.1f us %4d  %s' % (v, n[k], k))"
done
} 2>&1 | tee "$OUT/log"
