#!/usr/bin/env bash
# Issue 13, nineteenth session (2026-12-06), third call: `--psnr 40` with the ladder whose 4–5-bit rungs have a 2-bit
# full-resolution feature for materials of more than 4 outputs (ladder.ts fullResForm; lowfull-h100.sh and
# lowfull2-h100.sh measured them), on the 20-bit sets whose search could land there. Same corpus and carry as
# lowfull-h100.sh: `CORPUS=.corpus-q bash bench/materials/lowfull3-h100.sh`. Writes $OUT/compress.jsonl.
DEFAULT_BUDGET=480 source bench/materials/budget.sh
SETS="nx-cretewall re-jojo-concrete re-pk-panels re-pk-wall re-pk-floor re-un-metal nx-bigplate nx-metalplate" \
  ABLATE="psnr40:--psnr,40" ABLATE_LIMIT=90 BUDGET=$(left) bash bench/materials-h200.sh
echo "total $(( $(date +%s) - start )) s"
