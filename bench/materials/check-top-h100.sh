#!/usr/bin/env bash
# Issue 13, seventeenth session (2026-12-06), the last call: the new top of the ladder (search.ts LADDER: s1f2b4+s2f6b4,
# s1f{2,3,4}b4+s2f8b4, s1f4b4+s2f8b8) as a shipped build searches and decodes. One H100/H200 call:
#  1. 4K decode + shade (decode-bench, 8 outputs, f32 and int8) of the five new rungs, the 6.5-bit default as the anchor
#     and s2f16b4 (the old 16-bit rung, estimated over the int8 limit);
#  2. `--psnr 40` on re-mp-bricks and `--psnr 45` on re-mp-bricks, re-pk-panels and nx-cretewall with this build.
# Here first: npx tsc -p . && ../shared/gpu/pack.sh, the .corpus-h of top-h100.sh, carry [".gpu", "dist", ".corpus-h"]
# with CORPUS=.corpus-h. Writes $OUT/decode.txt, $OUT/compress.jsonl and $OUT/log.txt.
source bench/materials/budget.sh
v() { for r in "$@"; do echo -n "$r-f32 $r-int8 "; done; }
DECODE_VARIANTS="$(v s1f1b4+s2f2b4c+s4f4b2 s1f2b4+s2f6b4 s1f2b4+s2f8b4 s1f3b4+s2f8b4 s1f4b4+s2f8b4 s1f4b4+s2f8b8 s2f16b4)" \
  SETS="re-mp-bricks" ABLATE="psnr40:--psnr,40 psnr45:--psnr,45" ABLATE_LIMIT=80 BUDGET=$(( $(left) - 130 )) bash bench/materials-h200.sh
SETS="re-pk-panels nx-cretewall" ABLATE="psnr45:--psnr,45" ABLATE_LIMIT=60 BUDGET=$(left) bash bench/materials-h200.sh
echo "total $(( $(date +%s) - start )) s"
