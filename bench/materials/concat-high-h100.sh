#!/usr/bin/env bash
# Issue 13, written in the twenty-third session (2026-12-06) for the next device call: concatenated half-resolution taps
# above 7 bits for materials of more than 4 outputs. At 7 bits s1f1b4+s2f3b4c beat the ladder's s1f1b2+s2f5b4 on six
# sets by +0.28…+4.85 dB (-seven-h100), and layouts of that kind decode within the limits at 8 and 10 bits by
# decode-cost.ts's estimate: s1f3b2+s2f2b4c (8 bits; 0.377 ms int8 at 8 outputs), s1f3b2+s2f3b4c (9 bits; 0.386 at 6
# outputs, over at 8) and s1f2b4+s2f2b4c (10 bits; 0.372).
# On lavapipe (128² crops, 2000 steps; bench/NOTES-materials.md, twenty-third session) both beat the ladder's rungs of
# the same bits. This measures them at 64000 steps on the four sets of that study against the ladder's s1f1b4+s2f4b4 (8),
# s1f1b4+s2f5b4 (9) and s1f1b4+s2f6b4 (10), with their 4K decode at 6 and 8 outputs; then re-pk-wall's --psnr 40 on this
# build (bench/materials/seven-psnr-h100.sh).
# Here first: `npx tsc -p . && ../shared/gpu/pack.sh`, then
#   mkdir -p .corpus-n6 && for s in re-jojo-concrete nx-cretewall re-pk-wall re-un-metal; do cp -r .corpus/$s .corpus-n6/; done
# and carry [".gpu", "dist", ".corpus-n6"] with `CORPUS=.corpus-n6 bash bench/materials/concat-high-h100.sh` (~450 s).
# Writes $OUT/decode.txt and $OUT/compress.jsonl.
DEFAULT_BUDGET=570 source bench/materials/budget.sh
mkdir -p $OUT
v() { local c=$1; shift; for r in "$@"; do echo -n "$r-f32$c $r-int8$c "; done; }
timeout 60 node dist/shaderml/material/decode-bench.js 3840 2160 50 $(v "" s1f3b2+s2f2b4c s1f3b2+s2f3b4c s1f2b4+s2f2b4c s1f1b4+s2f3b4c) \
  $(v -c6 s1f3b2+s2f2b4c s1f3b2+s2f3b4c s1f2b4+s2f2b4c) 2>&1 | grep -v Warning | tee $OUT/decode.txt
SETS="re-jojo-concrete nx-cretewall re-pk-wall re-un-metal" \
  ABLATE="c80:--grids,s1f3b2+s2f2b4c m80:--grids,s1f1b4+s2f4b4 c90:--grids,s1f3b2+s2f3b4c m90:--grids,s1f1b4+s2f5b4 c100:--grids,s1f2b4+s2f2b4c m100:--grids,s1f1b4+s2f6b4" \
  ABLATE_LIMIT=40 BUDGET=$(( $(left) - 70 )) bash bench/materials-h200.sh
SETS=re-pk-wall ABLATE="psnr40:--psnr,40" ABLATE_LIMIT=$(( $(left) - 5 )) BUDGET=$(left) bash bench/materials-h200.sh
echo "total $(( $(date +%s) - start )) s"
