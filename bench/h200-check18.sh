#!/usr/bin/env bash
# Issue 18: are both recordings' outputs right on the H200? Each network's first output in both recording
# modes, 5 runs each, against onnxruntime (CPU) on the same input (bench/recording-check.ts); then, per
# network, which dispatches break the output when recorded with their own bind group among shared ones
# (bench/recording-bisect.ts). Needs dist/bench/recording-{check,bisect}.js (bench/pack.sh builds them)
# and .gpu; about two minutes.
#   carry [".gpu", "dist"]; command: source .gpu/enter.sh && bash bench/h200-check18.sh
set -uo pipefail
mkdir -p "$OUT"
# CHECK: the networks to check (scripts/export_models.py names, and bench/transformer_models.py's
# resnet50 vit_tiny bert_encoder); BISECT: those to bisect (none: skip).
C=/tmp/models; mkdir -p $C
CHECK=${CHECK:-mobilenet_v3_small efficientnet_b0 shufflenet_v2_x0_5}
{
tv=$(for m in $CHECK; do case $m in resnet50|vit_tiny|bert_encoder|convnext_tiny|vit_b_16) echo $m;; esac; done)
cv=$(for m in $CHECK; do case $m in resnet50|vit_tiny|bert_encoder|convnext_tiny|vit_b_16) ;; *) echo $m;; esac; done)
[ -n "$cv" ] && timeout 120 python3 scripts/export_models.py $C --static 224x224 $cv 2>&1 | grep -v Warning | tail -1
[ -n "$tv" ] && timeout 120 python3 bench/transformer_models.py $C $tv --no-torch 2>&1 | grep '^{'
for m in $CHECK; do
  python3 bench/ort_reference.py $C/$m.onnx $C/$m.f32 && timeout 60 node dist/bench/recording-check.js $C/$m.onnx $C/$m.f32 --runs 5 2>&1 | grep -v '^Warning'
done
for m in ${BISECT:-mobilenet_v3_small efficientnet_b0}; do
  [ "$m" = none ] && continue
  timeout 120 node dist/bench/recording-bisect.js $C/$m.onnx $C/$m.f32 2>&1 | grep -v '^Warning'
done
} 2>&1 | tee "$OUT/check18.log"
