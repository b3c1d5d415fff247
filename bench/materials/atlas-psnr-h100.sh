#!/usr/bin/env bash
# Issue 13, eighteenth session (2026-12-06): `--psnr 40` on a 2048² set at this build: the atlas (re-un-atlas-2k, whose
# search had not run since 2026-12-03) and re-wickedrock19-2k (SET=re-wickedrock19-2k). One H100/H200 call each:
# npx tsc -p . && ../shared/gpu/pack.sh; a corpus folder holding the set (cp -r .corpus/re-un-atlas-2k .corpus-a/, or
# cp -r .corpus-2k/re-wickedrock19-2k .corpus-w/: its source JPEGs); carry [".gpu", "dist", ".corpus-a"] and
# `CORPUS=.corpus-a bash bench/materials/atlas-psnr-h100.sh`. Writes $OUT/compress.jsonl and $OUT/log.txt.
source bench/materials/budget.sh
# ABLATE_DEFAULT=1 (added 2026-12-06, nineteenth session): the defaults first, then --psnr 40 (~200 + ~120 s for the atlas).
[ "${ABLATE_DEFAULT:-0}" = 1 ] && SETS="${SET:-re-un-atlas-2k}" ABLATE="default:" ABLATE_LIMIT=280 BUDGET=$(( $(left) - 150 )) bash bench/materials-h200.sh
SETS="${SET:-re-un-atlas-2k}" ABLATE="psnr40:--psnr,40" ABLATE_LIMIT=320 BUDGET=$(left) bash bench/materials-h200.sh
echo "total $(( $(date +%s) - start )) s"
