#!/usr/bin/env bash
# Issue 13, eighteenth session (2026-12-06): the two untuned 9-channel sets (nx-cp-glow, re-un-darktile-height;
# bench/NOTES-materials.md, Corpus) with defaults and --psnr 40, the first sets past 6 decoder outputs. One H100/H200 call:
#   npx tsc -p . && ../shared/gpu/pack.sh; mkdir -p .corpus-m && cp -r .corpus/{nx-cp-glow,re-un-darktile-height} .corpus-m/
# then carry [".gpu", "dist", ".corpus-m"] and `CORPUS=.corpus-m bash bench/materials/nine-h100.sh`.
# Writes $OUT/compress.jsonl and $OUT/log.txt.
source bench/materials/budget.sh
SETS="nx-cp-glow re-un-darktile-height" ABLATE="default: psnr40:--psnr,40" ABLATE_LIMIT=120 BUDGET=$(left) bash bench/materials-h200.sh
echo "total $(( $(date +%s) - start )) s"
