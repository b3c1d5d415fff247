#!/usr/bin/env bash
# Issue 13, written in the twentieth session (2026-12-06) for the next device call: what that session left unmeasured
# (bench/NOTES-materials.md, "Below a near-miss start, and the rungs around 5 bits"):
#  1. 7 bits for materials of more than 4 outputs: s1f1b4+s2f3b4c (the 6-bit form's layout one feature up; 13 decoder
#     inputs) against the ladder's s1f1b2+s2f5b4 and its twin s1f1b4+s2f3b4, at 64000 steps, with its decode at 6 and 8;
#  2. 6 bits for materials of 4 outputs (the three 16-bit sets, which keep s1f1b2+s2f4b4): s1f1b4+s2f2b4c against it.
# The atlas (5 outputs), whose default and search start at changed rungs, is `ABLATE_DEFAULT=1 CORPUS=.corpus-a bash
# bench/materials/atlas-psnr-h100.sh`, a call of its own. Here first: `npx tsc -p . && ../shared/gpu/pack.sh`, then
#   mkdir .corpus-n4 && for s in re-jojo-concrete nx-cretewall re-pk-wall re-mp-bricks re-un-metal nx-bigplate re-un-grate re-torley-marble npm-pm-normal-pair; do cp -r .corpus/$s .corpus-n4/; done
# and carry [".gpu", "dist", ".corpus-n4"] with `CORPUS=.corpus-n4 bash bench/materials/next-h100.sh`. Writes $OUT/decode.txt and $OUT/compress.jsonl.
# Ran in the twenty-third session: bench/materials-2026-12-06-seven-h100 (the 7-bit layout taken, ladder.ts tapsTwinForm).
DEFAULT_BUDGET=560 source bench/materials/budget.sh
mkdir -p $OUT
v() { local c=$1; shift; for r in "$@"; do echo -n "$r-f32$c $r-int8$c "; done; }
timeout 60 node dist/shaderml/material/decode-bench.js 3840 2160 50 $(v "" s1f1b4+s2f3b4c s1f1b2+s2f5b4) $(v -c6 s1f1b4+s2f3b4c) $(v -c4 s1f1b4+s2f2b4c) \
  2>&1 | grep -v Warning | tee $OUT/decode.txt
SETS="re-jojo-concrete nx-cretewall re-pk-wall re-mp-bricks re-un-metal nx-bigplate" \
  ABLATE="f70:--grids,s1f1b4+s2f3b4c m70:--grids,s1f1b2+s2f5b4 t70:--grids,s1f1b4+s2f3b4" ABLATE_LIMIT=40 BUDGET=$(( $(left) - 100 )) bash bench/materials-h200.sh
SETS="re-un-grate re-torley-marble npm-pm-normal-pair" ABLATE="f60:--grids,s1f1b4+s2f2b4c m60:--grids,s1f1b2+s2f4b4" \
  ABLATE_LIMIT=40 BUDGET=$(left) bash bench/materials-h200.sh
echo "total $(( $(date +%s) - start )) s"
