#!/usr/bin/env bash
# Issue 13, seventeenth session (2026-12-06), after top-h100.sh: the ladder's top is now full-resolution features
# (s1f{2,3,4}b4+s2f8b4 at 16, 20, 24 bits, s1f4b4+s2f8b8 at 32; search.ts LADDER). Checked here, one H100/H200 call:
#  1. re-mp-bricks: the 20-bit rung by hand (64000 steps; between 16 and 24, unmeasured), then `--psnr 40` at this build
#     (it took s2f16b8, 1.6× BC, with the old top);
#  2. 12 and 14 bits, the same question one step down: s1f1b4+s2f8b4 and s1f1b4+s2f10b4 (the ladder's) against
#     s1f2b4+s2f4b4 and s1f2b4+s2f6b4 (two full-resolution features; the 14-bit one also decodes within the limits at
#     8 outputs, where s1f1b4+s2f10b4 is estimated over: 0.397 ms int8) on the four sets of top-h100.sh;
#  3. re-pk-wall `--psnr 45`, a search that ends among the new rungs.
# Here first: npx tsc -p . && ../shared/gpu/pack.sh, the .corpus-h of top-h100.sh, carry [".gpu", "dist", ".corpus-h"]
# with CORPUS=.corpus-h. Writes $OUT/compress.jsonl and $OUT/log.txt.
source bench/materials/budget.sh
g() { for r in "$@"; do echo -n "$r:--grids,$r "; done; }
SETS="re-mp-bricks" ABLATE="$(g s1f3b4+s2f8b4) psnr40:--psnr,40" ABLATE_LIMIT=90 BUDGET=$(( $(left) - 330 )) bash bench/materials-h200.sh
SETS="re-mp-bricks re-pk-wall re-pk-panels nx-cretewall" ABLATE="$(g s1f1b4+s2f8b4 s1f2b4+s2f4b4 s1f1b4+s2f10b4 s1f2b4+s2f6b4)" \
  ABLATE_LIMIT=40 BUDGET=$(( $(left) - 70 )) bash bench/materials-h200.sh
SETS="re-pk-wall" ABLATE="psnr45:--psnr,45" ABLATE_LIMIT=90 BUDGET=$(left) bash bench/materials-h200.sh
echo "total $(( $(date +%s) - start )) s"
