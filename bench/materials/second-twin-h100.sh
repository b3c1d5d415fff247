#!/usr/bin/env bash
# Issue 13, twenty-ninth session (2026-12-07): --psnr tries a second twin when the first failed (search.ts runSearch,
# `secondTwin`): of the closest other failing rung below the pick. With the 8.5-bit layout admitted (ladder.ts
# highTapsForm), re-wickedrock19-2k's search (half-bit-admit-h100.sh) failed that layout (38.15 dB) and the 9-bit one's
# twin, and shipped 9.51 bpt where the build before shipped the rung the layout replaced at 8.51; replayed with the rule it
# ships that rung again. near-replay.mjs finds three 512² searches that now ask for one trial never run. This call runs
# those three and re-wickedrock19-2k's whole on this build.
# Here first: `npx tsc -p . && ../shared/gpu/pack.sh`, then
#   rm -rf .corpus-st && mkdir -p .corpus-st && cp -r .corpus/{npm-pm-normal-rock,nx-cp-glow,re-pk-panels} .corpus-w/re-wickedrock19-2k .corpus-st/
# carry [".gpu", "dist", ".corpus-st"] and `CORPUS=.corpus-st bash bench/materials/second-twin-h100.sh` (~380 s).
# Writes $OUT/compress.jsonl.
DEFAULT_BUDGET=560 source bench/materials/budget.sh
mkdir -p $OUT
SETS="npm-pm-normal-rock nx-cp-glow re-pk-panels" ABLATE="psnr40:--psnr,40" ABLATE_LIMIT=80 BUDGET=$(( $(left) - 250 )) bash bench/materials-h200.sh
[ $(left) -gt 150 ] && SETS=re-wickedrock19-2k ABLATE="psnr40:--psnr,40" ABLATE_LIMIT=$(( $(left) - 5 )) BUDGET=$(left) bash bench/materials-h200.sh
echo "total $(( $(date +%s) - start )) s"
