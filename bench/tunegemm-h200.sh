#!/usr/bin/env bash
# GEMM selection, GEMM+LayerNorm fusion and the row kernels on the GPU machine, one device call (~5 min),
# after `bash bench/pack.sh` here (it builds dist/bench/gemm-kernels.js and model-nodes.js):
#   carry [".gpu", "dist"]; command: bash bench/tunegemm-h200.sh [check] [sweep] [nodes] [models]
# check:  every GEMM configuration at small sizes against a CPU product (fails loudly);
# sweep:  bench/gemm-kernels.ts --cold at the BERT-base, ViT-B/16 and ConvNeXt-T shapes: what the
#         selection rule picks against every tile × split, hot (REPS back to back, as the 12-02 sweep)
#         and cold (one repetition after an L2 flush: the weights' situation inside a model);
# nodes:  bench/model-nodes.ts on bert_encoder, vit_b_16 and convnext_tiny: per distinct node its
#         kernels and its time in the network (one pass per node, as `wgml profile`), cold, hot once
#         and hot repeated — which says why a MatMul is slower in the model than in the sweep;
# models: `wgml bench` of the five models of issue #12 (targets: BERT 2.30 ms, ViT-B/16 3.10,
#         convnext_tiny 1.46, tiny ViT 0.20, resnet50 no slower than 1.23).
# Everything goes to $OUT/log, JSON lines to $OUT/*.jsonl.
set -uo pipefail
source .gpu/enter.sh >/dev/null
mkdir -p "$OUT"
what=${*:-check sweep nodes models}
T0=$(date +%s)
M=/tmp/tmodels; mkdir -p $M
export_models() {
  local need=()
  for m in "$@"; do [ -f $M/$m.onnx ] || need+=("$m"); done
  [ ${#need[@]} -eq 0 ] || timeout 240 python3 bench/transformer_models.py $M --no-torch "${need[@]}" 2>&1 | grep -v Warning | grep '^{' >/dev/null
}
{
nvidia-smi --query-gpu=name,driver_version,clocks.sm --format=csv,noheader
for w in $what; do
  echo "=== $w ($(( $(date +%s) - T0 )) s)"
  case $w in
    check)
      timeout 120 node dist/bench/gemm-kernels.js --check 2>&1 | grep -v '^Warning' | grep -E 'FAIL|refused' ; echo "check exit ${PIPESTATUS[0]}" ;;
    sweep)
      timeout 300 node dist/bench/gemm-kernels.js --cold --json "$OUT/gemm.jsonl" --deadline 240 2>&1 | grep -v '^Warning' ;;
    nodes)
      export_models bert_encoder vit_b_16 convnext_tiny
      for m in bert_encoder vit_b_16 convnext_tiny; do
        timeout 150 node dist/bench/model-nodes.js $M/$m.onnx --json "$OUT/nodes.jsonl" 2>&1 | grep -v '^Warning'
      done
      # the same kernels bound one group per dispatch: does shared recording change their speed?
      timeout 150 node dist/bench/model-nodes.js $M/bert_encoder.onnx --recording groups --ops MatMul,Gemm --json "$OUT/nodes.jsonl" 2>&1 | grep -v '^Warning' ;;
    models)
      export_models bert_encoder vit_b_16 convnext_tiny vit_tiny resnet50
      for m in bert_encoder vit_b_16 convnext_tiny vit_tiny resnet50; do
        timeout 120 node dist/cli/main.js bench $M/$m.onnx --runs 50 --warmup 10 --json 2>&1 | grep '^{' | tee -a "$OUT/wgml-models.jsonl"
      done
      timeout 120 node dist/cli/main.js bench $M/bert_encoder.onnx --runs 50 --warmup 10 --recording groups --json 2>&1 | grep '^{' | tee -a "$OUT/wgml-models.jsonl" ;;
  esac
done
echo "=== done in $(( $(date +%s) - T0 )) s"
} 2>&1 | tee "$OUT/log"
