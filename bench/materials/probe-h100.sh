#!/usr/bin/env bash
# Issue 13, twentieth session (2026-12-06): the search now bisects below a first trial that missed by at most
# NEAR_MISS_DB before climbing (search.ts nextProbeBelow). nx-cretewall is the one set of 18 whose first trial is such a
# near miss (6.5 bits 39.68 dB; its 5-bit rung scored 40.53 as a trial), so only its `--psnr 40` can change: run it, then
# what after-lowfull-h100.sh queued. Here first: `npx tsc -p . && ../shared/gpu/pack.sh`, .corpus-n2 as that script says;
# carry [".gpu", "dist", ".corpus-n2"] and `CORPUS=.corpus-n2 bash bench/materials/probe-h100.sh`.
# Writes $OUT/compress.jsonl (the search first), $OUT/decode.txt and $OUT/jojo-phases-*.log.
DEFAULT_BUDGET=580 source bench/materials/budget.sh
SETS="nx-cretewall" ABLATE="psnr40:--psnr,40" ABLATE_LIMIT=90 BUDGET=90 bash bench/materials-h200.sh
BUDGET=$(left) bash bench/materials/after-lowfull-h100.sh
echo "total $(( $(date +%s) - start )) s"
