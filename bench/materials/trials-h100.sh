#!/usr/bin/env bash
# Issue 13, written 2026-12-06 (fifteenth session) after the device time was spent: the next call. A training step now
# runs at the kernels' rate (fused weight gradient, chunks read while the next one runs), so a `--psnr` search of 8000
# steps a trial takes well under its minute: do trials of twice the steps find smaller sizes (the moonshot: ≥ 40 dB at
# ≤ 1/4 of BC), and what do searches take now? One H100/H200 call of BUDGET seconds (default 540). Here first:
#   npx tsc -p . && ../shared/gpu/pack.sh; mkdir .corpus-t && for s in re-pk-wall nx-cretewall re-torley-marble re-un-grate \
#     re-pk-panels re-jojo-concrete; do cp -r .corpus/$s .corpus-t/; done && cp -r .corpus-2k/re-wickedrock19-2k .corpus-t/
# and carry [".gpu", "dist", ".corpus-t"] with CORPUS=.corpus-t. Writes $OUT/compress.jsonl and $OUT/log.txt.
#  1. `--psnr 40` at 8000 steps a trial (the default) and at 16000 (`--steps 16000`; the near-miss retrain is twice a
#     trial's) on the six 512² sets whose `--psnr 40` took more than 1/4 of BC on 2026-12-03;
#  2. `--psnr 40` on the 2048² set at its default 32000 a trial (192 s with the old trainer).
# (The packed decode's 4K times are centre-h100.sh's, the call before this one.)
source bench/materials/budget.sh
SETS="re-pk-wall nx-cretewall re-torley-marble re-un-grate re-pk-panels re-jojo-concrete" \
  ABLATE="psnr40:--psnr,40 psnr40-16k:--psnr,40,--steps,16000" ABLATE_LIMIT=75 BUDGET=$(( $(left) - 170 )) bash bench/materials-h200.sh
SETS="re-wickedrock19-2k" ABLATE="psnr40:--psnr,40" ABLATE_LIMIT=300 BUDGET=$(left) bash bench/materials-h200.sh
echo "total $(( $(date +%s) - start )) s"
