#!/usr/bin/env bash
# Issue 13, eighteenth session (2026-12-06): `--psnr 40` on the 2048² atlas (re-un-atlas-2k) at this build, the one set
# whose search had not run since 2026-12-03. One H100/H200 call: npx tsc -p . && ../shared/gpu/pack.sh; .corpus-a holds
# the atlas (cp -r .corpus/re-un-atlas-2k .corpus-a/); carry [".gpu", "dist", ".corpus-a"] and
# `CORPUS=.corpus-a bash bench/materials/atlas-psnr-h100.sh`. Writes $OUT/compress.jsonl and $OUT/log.txt.
source bench/materials/budget.sh
SETS="re-un-atlas-2k" ABLATE="psnr40:--psnr,40" ABLATE_LIMIT=320 BUDGET=$(left) bash bench/materials-h200.sh
echo "total $(( $(date +%s) - start )) s"
