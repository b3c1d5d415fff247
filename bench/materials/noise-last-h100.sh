#!/usr/bin/env bash
# Issue 13, twenty-first session (2026-12-06), the session's last device seconds after noise-psnr-h100.sh: with latents
# trained with noise to the end (train.ts STE_FROM = 1), the atlas's `--psnr 40` (re-un-atlas-2k, not searched since the
# ladder's 5-outputs rungs changed), then the defaults of the 512² sets nearest their targets while time is left.
# Here first: `npx tsc -p . && ../shared/gpu/pack.sh`, then
#   mkdir .corpus-f && for s in re-un-atlas-2k re-mp-bricks npm-pm-normal-rock re-pk-wall nx-cretewall re-un-grate re-pk-panels; do cp -r .corpus/$s .corpus-f/; done
# and carry [".gpu", "dist", ".corpus-f"] with `CORPUS=.corpus-f bash bench/materials/noise-last-h100.sh`.
source bench/materials/budget.sh
SETS="re-un-atlas-2k" ABLATE="psnr40:--psnr,40" ABLATE_LIMIT=200 BUDGET=$(( $(left) - 20 )) bash bench/materials-h200.sh
SETS="re-mp-bricks npm-pm-normal-rock re-pk-wall nx-cretewall re-un-grate re-pk-panels" ABLATE="default:" ABLATE_LIMIT=45 BUDGET=$(left) bash bench/materials-h200.sh
echo "total $(( $(date +%s) - start )) s"
