#!/usr/bin/env bash
# Where a training step's time goes, on the GPU machine (issue 13): `wgml compress` of one rung, no refinement or
# fine-tuning, at STEPS_A and STEPS_B steps and each of BATCHES texels a step, on each set of SETS (folders under
# CORPUS). The difference of the two step counts over their difference is the time of one step at that batch; what a
# step costs against its batch says whether it is bound by the texels it trains (a larger batch costs in proportion) or
# by what every step pays whatever its batch (dispatches, Adam over every latent: a larger batch is nearly free).
# Prints one line per (set, batch): seconds at each step count and ms a step. Here: npx tsc -p .; device: carry
# [".gpu", "dist", CORPUS], command `CORPUS=… bash bench/materials/train-speed.sh`.
set -uo pipefail
[ -f .gpu/enter.sh ] && source .gpu/enter.sh >/dev/null
CORPUS=${CORPUS:-.corpus}; GRIDS=${GRIDS:-s1f1b4+s2f2b4c+s4f4b2}; A=${STEPS_A:-500}; B=${STEPS_B:-2500}
secs() { # dir batch steps
  node dist/cli/main.js compress $1 -o /tmp/speed.wgmat --json --grids $GRIDS --refine 0 --finetune 0 --batch $2 --steps $3 2>/dev/null \
    | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const i=s.indexOf("{");console.log(i<0?"NaN":JSON.parse(s.slice(i)).trainSeconds.toFixed(3))})'
}
for s in ${SETS:-re-mp-bricks}; do
  for b in ${BATCHES:-16384 65536 262144}; do
    ta=$(secs $CORPUS/$s $b $A); tb=$(secs $CORPUS/$s $b $B)
    node -e "const [a,b]=[+process.argv[1],+process.argv[2]];console.log('$s batch $b: ${A} steps '+a+' s, ${B} steps '+b+' s, '+((b-a)/($B-$A)*1000).toFixed(3)+' ms a step')" $ta $tb
  done
done
