#!/usr/bin/env bash
# Issue 13, written 2026-12-06 (fifteenth session) after the device time was spent: the next call, before
# trials-h100.sh. Two training changes measured only on lavapipe (128² crops, 3000 steps): the decoder's inputs centred
# on 0 (kernels.ts INPUT_CENTRE: weakest texture +0.14…+2.01 dB on six sets) and Adam's β2 0.95 instead of 0.99
# (trainer.ts ADAM_BETA2: +0.13…+0.37 on four). Do the 512² defaults (64000 steps) gain as much, which change gives what
# (`--adam-beta2 0.99` is centring alone), does re-mp-bricks pass 35 dB at a third of BC, and how fast do the packed bit
# streams decode? One H100/H200 call of BUDGET seconds (default 540). Here first:
#   npx tsc -p . && ../shared/gpu/pack.sh; mkdir .corpus-n && for s in re-mp-bricks nx-cretewall re-pk-floor re-pk-wall \
#     re-un-grate npm-pm-normal-rock re-torley-marble; do cp -r .corpus/$s .corpus-n/; done
# and carry [".gpu", "dist", ".corpus-n"] with CORPUS=.corpus-n. Writes $OUT/compress.jsonl, $OUT/decode.txt, $OUT/log.txt.
# Before both changes, same code otherwise (bench/materials-2026-12-06-steps8-h100, -balance-h100): bricks 34.81,
# cretewall 41.53, floor 43.37, wall 39.81, grate 40.11, normal-rock 36.54, marble 41.72 dB.
source bench/materials/budget.sh
R=s1f1b4+s2f2b4c+s4f4b2
SETS="re-mp-bricks nx-cretewall re-pk-floor re-pk-wall" DECODE_VARIANTS="$R-f32 $R-f32-packed s2f5b4c-f32 s2f5b4c-f32-packed" \
  ABLATE="default: b99:--adam-beta2,0.99" ABLATE_LIMIT=50 BUDGET=$(( $(left) - 110 )) bash bench/materials-h200.sh
SETS="re-un-grate npm-pm-normal-rock re-torley-marble" ABLATE="default:" ABLATE_LIMIT=50 BUDGET=$(left) bash bench/materials-h200.sh
echo "total $(( $(date +%s) - start )) s"
