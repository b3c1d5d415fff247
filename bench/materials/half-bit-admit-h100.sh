#!/usr/bin/env bash
# Issue 13, twenty-ninth session (2026-12-07): the 8.5-bit layout with concatenated taps, s1f3b2+s2f2b4c+s4f4b2, is now
# what materials of 5 or 6 outputs train at 8.5 bits (ladder.ts highTapsForm, with s1f1b4+s2f4b4+s4f4b2 as its twin;
# its decode rows in decode-cost.ts). Of the recorded --psnr 40 searches, near-replay.mjs finds one 512² search that
# meets it (re-pk-wall); the 2048² re-wickedrock19-2k shipped the rung it replaces. This call runs both whole on this build.
# Here first: `npx tsc -p . && ../shared/gpu/pack.sh`, then
#   rm -rf .corpus-ad && mkdir -p .corpus-ad && cp -r .corpus/re-pk-wall .corpus-w/re-wickedrock19-2k .corpus-ad/
# carry [".gpu", "dist", ".corpus-ad"] and `CORPUS=.corpus-ad bash bench/materials/half-bit-admit-h100.sh` (~280 s).
# Writes $OUT/compress.jsonl.
DEFAULT_BUDGET=420 source bench/materials/budget.sh
mkdir -p $OUT
SETS="re-pk-wall" ABLATE="psnr40:--psnr,40" ABLATE_LIMIT=80 BUDGET=$(( $(left) - 5 )) bash bench/materials-h200.sh
[ $(left) -gt 150 ] && SETS=re-wickedrock19-2k ABLATE="psnr40:--psnr,40" ABLATE_LIMIT=$(( $(left) - 5 )) BUDGET=$(left) bash bench/materials-h200.sh
echo "total $(( $(date +%s) - start )) s"
