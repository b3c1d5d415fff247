#!/usr/bin/env bash
# Issue 13, written in the twenty-first session (2026-12-06) for the next device calls: the table rows that session did
# not rerun after latents began training with noise to the end (train.ts STE_FROM = 1; bench/NOTES-materials.md, "Noise
# to the end"). STEP=512 (one call, ~330 s): the defaults of the eleven 512² sets not rerun. STEP=2k (one call, ~400 s):
# the atlas's default, then re-wickedrock19-2k's default (its --psnr 40, ~200 s, is `SET=re-wickedrock19-2k
# bench/materials/atlas-psnr-h100.sh`, a call of its own). Here first: `npx tsc -p . && ../shared/gpu/pack.sh`, the
# corpus (.corpus-s of noise-psnr-h100.sh for 512; for 2k `mkdir .corpus-2 && cp -r .corpus/*-2k .corpus-2/`, 22 MiB,
# or one set a call), carry [".gpu", "dist", "<corpus>"] and `STEP=512 CORPUS=.corpus-s bash bench/materials/noise-rest-h100.sh`.
# Writes $OUT/compress.jsonl; the rows replace theirs in bench/materials-2026-12-06-table/ (source: this call's folder).
source bench/materials/budget.sh
case ${STEP:?STEP=512 or STEP=2k} in
  512) SETS="npm-pm-normal-pair nx-bigplate nx-cp-glow nx-metalplate nx-simplines re-jojo-concrete re-pk-floor re-pk-panels re-torley-marble re-un-darktile-height re-un-metal" \
    ABLATE="default:" ABLATE_LIMIT=50 BUDGET=$(left) bash bench/materials-h200.sh;;
  2k) SETS="re-un-atlas-2k re-wickedrock19-2k" ABLATE="default:" ABLATE_LIMIT=280 BUDGET=$(left) bash bench/materials-h200.sh;;
  *) echo "STEP=512 or STEP=2k" >&2; exit 2;;
esac
echo "total $(( $(date +%s) - start )) s"
