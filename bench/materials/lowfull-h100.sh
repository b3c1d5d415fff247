#!/usr/bin/env bash
# Issue 13, nineteenth session (2026-12-06): a full-resolution feature below 5 bits, for the moonshot (≥ 40 dB at ≤ 1/4
# of BC). On the 20-bit sets (albedo + normal + scalar, 6 outputs) 1/4 of BC is 5.0 bits a texel, and the ladder's rung
# under it is s2f8b2+s4f4b2 (4.6 bits with the decoder), where the 6.6-bit rung above it, s1f1b4+s2f2b4c+s4f4b2, scores
# 3–7 dB more (re-jojo-concrete 36.10 → 43.64 as trials). Its shape at 4.6 bits: s1f1b2+s2f2b4c+s4f4b2 (a 2-bit
# full-resolution feature, the same 15 decoder inputs as the 6.6-bit rung). On the 16-bit sets (4 outputs, 1/4 = 4.0)
# the same idea a bit lower: s1f1b2+s2f1b4c+s4f4b2 (3.6) against s2f3b4c+s4f4b2; on the two 28-bit sets (1/4 = 7.0)
# the 6.6-bit rung, which their searches never trained. Every run is one configuration by hand (64000 steps, as a pick).
#   npx tsc -p . && ../shared/gpu/pack.sh
#   mkdir .corpus-q && for s in nx-cretewall re-jojo-concrete re-mp-bricks re-pk-floor re-pk-panels re-pk-wall re-un-metal \
#     nx-bigplate nx-metalplate nx-simplines re-un-grate re-torley-marble npm-pm-normal-pair nx-cp-glow re-un-darktile-height; do
#     cp -r .corpus/$s .corpus-q/; done          # 12.5 MB: with .gpu and dist, just under the 64 MiB carry
# carry [".gpu", "dist", ".corpus-q"] with `CORPUS=.corpus-q bash bench/materials/lowfull-h100.sh`. Writes $OUT/compress.jsonl.
DEFAULT_BUDGET=570 source bench/materials/budget.sh
T20="re-jojo-concrete re-pk-panels nx-cretewall re-pk-wall re-mp-bricks re-pk-floor re-un-metal nx-bigplate nx-metalplate nx-simplines"
SETS="$T20" ABLATE="fr45:--grids,s1f1b2+s2f2b4c+s4f4b2 cur45:--grids,s2f8b2+s4f4b2" ABLATE_LIMIT=40 BUDGET=$(( $(left) - 140 )) bash bench/materials-h200.sh
SETS="re-un-grate re-torley-marble npm-pm-normal-pair" ABLATE="fr35:--grids,s1f1b2+s2f1b4c+s4f4b2 cur35:--grids,s2f3b4c+s4f4b2" ABLATE_LIMIT=40 BUDGET=$(( $(left) - 40 )) bash bench/materials-h200.sh
SETS="nx-cp-glow re-un-darktile-height" ABLATE="r65:--grids,s1f1b4+s2f2b4c+s4f4b2" ABLATE_LIMIT=40 BUDGET=$(left) bash bench/materials-h200.sh
echo "total $(( $(date +%s) - start )) s"
