#!/usr/bin/env bash
# Issue 13, twenty-third session (2026-12-06): re-pk-wall's --psnr 40, the one 512² search whose path meets the new 7-bit
# layout of materials of more than 4 outputs (ladder.ts tapsTwinForm: s1f1b4+s2f3b4c, measured in -seven-h100), run whole
# on this build so that near-replay.mjs has its trial. Here first: `npx tsc -p . && ../shared/gpu/pack.sh`, then
#   mkdir -p .corpus-pw && cp -r .corpus/re-pk-wall .corpus-pw/
# carry [".gpu", "dist", ".corpus-pw"] and `CORPUS=.corpus-pw bash bench/materials/seven-psnr-h100.sh`. Writes $OUT/compress.jsonl.
DEFAULT_BUDGET=120 source bench/materials/budget.sh
SETS=re-pk-wall ABLATE="psnr40:--psnr,40" ABLATE_LIMIT=110 BUDGET=$(left) bash bench/materials-h200.sh
echo "total $(( $(date +%s) - start )) s"
