#!/usr/bin/env bash
# Issue 13, sixteenth session (2026-12-06): the defaults of the sets centre-h100.sh did not cover, with this trainer
# (centred inputs, Adam β2 0.95, frozen-latent fine-tuning over the decoder alone): does every set still reach 35 dB
# at a third of BC, and how long does the 2048² default take now (201 s before)? One H100/H200 call of BUDGET
# seconds (default 540). Here first:
#   npx tsc -p . && ../shared/gpu/pack.sh; rm -rf .corpus-n && mkdir .corpus-n && for s in nx-bigplate nx-metalplate \
#     nx-simplines re-jojo-concrete re-un-metal npm-pm-normal-pair re-pk-panels; do cp -r .corpus/$s .corpus-n/; done \
#     && cp -r .corpus-2k/re-wickedrock19-2k .corpus-n/
# and carry [".gpu", "dist", ".corpus-n"] with CORPUS=.corpus-n. Writes $OUT/compress.jsonl and $OUT/log.txt.
# (re-un-atlas-2k, 7.5 MiB of PNG, does not fit in the same carry.)
source bench/materials/budget.sh
SETS="re-wickedrock19-2k" ABLATE="default:" ABLATE_LIMIT=260 BUDGET=$(left) bash bench/materials-h200.sh
SETS="nx-bigplate nx-metalplate nx-simplines re-jojo-concrete re-un-metal npm-pm-normal-pair re-pk-panels" \
  ABLATE="default:" ABLATE_LIMIT=50 BUDGET=$(left) bash bench/materials-h200.sh
echo "total $(( $(date +%s) - start )) s"
