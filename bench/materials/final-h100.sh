#!/usr/bin/env bash
# Issue 13, sixteenth session (2026-12-06): `--psnr` now trains its pick once more as the default trains one
# configuration (search.ts searchFinalSteps: 8× a trial's steps, at most 128000) and retrains near misses (≤ 0.5 dB)
# so. Does a 512² search stay within its minute and the 2048² one within five, and where do the searches land against
# the trials of bench/materials-2026-12-06-trials-h100 (same sets, without the last training)? One H100/H200 call of
# BUDGET seconds (default 540). Here first:
#   npx tsc -p . && ../shared/gpu/pack.sh; mkdir .corpus-t && for s in re-pk-wall nx-cretewall re-torley-marble re-un-grate; \
#     do cp -r .corpus/$s .corpus-t/; done && cp -r .corpus-2k/re-wickedrock19-2k .corpus-t/
# and carry [".gpu", "dist", ".corpus-t"] with CORPUS=.corpus-t. Writes $OUT/compress.jsonl and $OUT/log.txt.
source bench/materials/budget.sh
SETS="re-pk-wall nx-cretewall re-torley-marble re-un-grate" ABLATE="psnr40:--psnr,40" ABLATE_LIMIT=70 \
  BUDGET=$(( $(left) - 290 )) bash bench/materials-h200.sh
SETS="re-wickedrock19-2k" ABLATE="psnr40:--psnr,40" ABLATE_LIMIT=300 BUDGET=$(left) bash bench/materials-h200.sh
echo "total $(( $(date +%s) - start )) s"
