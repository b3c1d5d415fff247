#!/usr/bin/env bash
# Issue 13, twenty-first session (2026-12-06): why re-jojo-concrete trains worse for longer (4.5 bits: 40.25 dB after
# 8000 steps, 37.13 after 64000, with a higher training loss at the end: bench/NOTES-materials.md). Loss curves
# (bench/materials/loss-curve.mjs) at 8000–64000 steps, and two suspects at 64000:
#  - batches: at 512² the batch (65536) is a quarter of the texels, and texel_of steps by multiples of the batch, so
#    training cycles through the same four fixed batches; --batch 65535 shifts the batch by an odd amount each step;
#  - the latent gradients' fixed-point scale (kernels.ts GRAD_FIXED, 2^16): a copy of dist with 2^20.
# Then both on four other 20-bit sets at the rungs nearest their targets. Here first: `npx tsc -p . && ../shared/gpu/pack.sh`,
#   mkdir .corpus-d && for s in re-jojo-concrete nx-cretewall re-mp-bricks re-pk-wall re-pk-panels; do cp -r .corpus/$s .corpus-d/; done
# and carry [".gpu", "dist", ".corpus-d"] with `CORPUS=.corpus-d bash bench/materials/curves-h100.sh`. Writes $OUT/curves.jsonl.
DEFAULT_BUDGET=560 source bench/materials/budget.sh
mkdir -p $OUT
nvidia-smi --query-gpu=name --format=csv,noheader | tee $OUT/gpu.txt
# The fixed-point variant: the same build with a 16× finer latent gradient.
mkdir -p /tmp/g20/bench/materials && cp -r dist /tmp/g20/ && cp bench/materials/loss-curve.mjs /tmp/g20/bench/materials/ && ln -s $PWD/node_modules /tmp/g20/node_modules 2>/dev/null
sed -i 's/GRAD_FIXED = 1 << 16/GRAD_FIXED = 1 << 20/' /tmp/g20/dist/shaderml/material/kernels.js
grep -c 'GRAD_FIXED = 1 << 20' /tmp/g20/dist/shaderml/material/kernels.js
c() { # name script-root set rung steps [key=value]
  local n=$1 root=$2 set=$3 rung=$4 st=$5; shift 5
  if (( $(left) < 25 )); then echo "skip $n $set: budget spent"; return; fi
  timeout $(( $(left) - 5 )) node $root/bench/materials/loss-curve.mjs ${CORPUS:?}/$set $rung $st "$@" 2>/dev/null | sed "s/^{/{\"variant\":\"$n\",/" | tee -a $OUT/curves.jsonl | cut -c1-220
}
J=s1f1b2+s2f2b4c+s4f4b2 H=s1f1b4+s2f2b4c+s4f4b2
for st in 8000 16000 32000 64000; do c base . re-jojo-concrete $J $st; done
c shift . re-jojo-concrete $J 64000 batch=65535
c g20 /tmp/g20 re-jojo-concrete $J 64000
c shift . re-jojo-concrete $J 8000 batch=65535
c g20 /tmp/g20 re-jojo-concrete $J 8000
for sr in nx-cretewall:$J re-mp-bricks:$H re-pk-wall:$H re-pk-panels:$H; do
  for v in base shift g20; do
    case $v in base) c base . ${sr%%:*} ${sr#*:} 64000;; shift) c shift . ${sr%%:*} ${sr#*:} 64000 batch=65535;; g20) c g20 /tmp/g20 ${sr%%:*} ${sr#*:} 64000;; esac
  done
done
echo "total $(( $(date +%s) - start )) s"
