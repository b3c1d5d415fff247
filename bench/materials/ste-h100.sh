#!/usr/bin/env bash
# Issue 13, twenty-first session (2026-12-06): the loss curves of -curves-h100 put re-jojo-concrete's loss from longer
# training at the switch to straight-through rounding (70% of the steps): before it the loss is lower the longer the run
# (7.4e-5 at 64000 steps against 9.7e-5 at 8000), at it the loss doubles at 64000 (1.5e-4) where it rose by a sixth at
# 8000, and rounding then trains it up, not down (1.85e-4 at the end). Variants of that phase at 64000 and 8000 steps:
# noise to the end (steFrom=1: quantization, refinement and fine-tuning take it from there), codes refined at the switch
# (refineDuring=0.7), the latents' learning rate ×0.1 and ×0 once rounded, rounding from 90%. Then the same on four other
# 20-bit sets at 64000, at the rungs nearest their targets. Here first: `npx tsc -p . && ../shared/gpu/pack.sh`, .corpus-d
# as bench/materials/curves-h100.sh says; carry [".gpu", "dist", ".corpus-d"] and `CORPUS=.corpus-d bash
# bench/materials/ste-h100.sh`. Writes $OUT/curves.jsonl.
DEFAULT_BUDGET=570 source bench/materials/budget.sh
mkdir -p $OUT
nvidia-smi --query-gpu=name --format=csv,noheader | tee $OUT/gpu.txt
c() { # name set rung steps [key=value]
  local n=$1 set=$2 rung=$3 st=$4; shift 4
  if (( $(left) < 25 )); then echo "skip $n $set: budget spent"; return; fi
  timeout $(( $(left) - 5 )) node bench/materials/loss-curve.mjs ${CORPUS:?}/$set $rung $st "$@" 2>/dev/null | sed "s/^{/{\"variant\":\"$n\",/" | tee -a $OUT/curves.jsonl | cut -c1-200
}
J=s1f1b2+s2f2b4c+s4f4b2 H=s1f1b4+s2f2b4c+s4f4b2
V="noste:steFrom=1 refine70:refineDuring=0.7 lat01:steLatentLr=0.1 lat0:steLatentLr=0 ste90:steFrom=0.9"
for st in 64000 8000; do for v in $V; do c ${v%%:*} re-jojo-concrete $J $st ${v#*:}; done; done
for sr in nx-cretewall:$J re-pk-wall:$H re-mp-bricks:$H re-pk-panels:$H; do
  for v in $V; do c ${v%%:*} ${sr%%:*} ${sr#*:} 64000 ${v#*:}; done
done
echo "total $(( $(date +%s) - start )) s"
