#!/usr/bin/env bash
# Concatenated latent taps (grid name suffix "c", kernels.ts GridShape.concat) on the H200, one device call each
# (BUDGET seconds, default 560). Here first: `npx tsc -p . && ../shared/gpu/pack.sh && node bench/materials/corpus.mjs`;
# carry [".gpu", "dist", ".corpus"] (the 2048² set and .gpu/testdata.tar.xz moved aside to stay within 64 MiB).
# `STEP=ablation` (bench/materials-2026-12-05/, the first call), in order while time is left:
#  1. 4K decode + shade (decode-bench.js) of the default rungs and their concatenated counterparts, f32 and int8;
#  2. the lone normal map (8-bit BC5: a third is 2.67 bits): defaults, s2f2b4c (2 bits), s2f2b4c+s4f4b2 (2.5);
#  3. the 16-bit sets (a third: 5.33): defaults, s2f5b4c, s1f1b2+s2f3b4c (both 5 bits);
#  4. the 20-bit sets (a third: 6.67): defaults (rung + twin), s1f1b2+s2f4b4c+s4f4b2 and its split twin
#     s1f1b4+s2f2b4c+s4f4b2 (6.5 bits).
# `STEP=final` (the ladder the ablation chose): decode of the new rungs beside the old twin; defaults on the sets whose
# default rung changed (the lone normal map and the 20-bit sets; the 16-bit sets' 5-bit rung is unchanged); `--psnr 40`,
# the sets furthest from half of BC first.
# `STEP=next` (written 2026-12-05 without a device, for the next call): code refinement (refine.ts, on by default
# since, inside training too since the tenth session) measured: the defaults on every 512² set, the same with
# refinement after training only (`--refine-during none`) and without any (`--refine 0`) on the two sets that missed
# 35 dB for exact pairs, then `--psnr 40`, the sets furthest from half of BC first, while time is left.
# Writes $OUT/compress.jsonl (materials-h200.sh's summary lines), $OUT/decode.txt, $OUT/log.txt.
set -uo pipefail
[ -f .gpu/enter.sh ] && source .gpu/enter.sh >/dev/null
C=${CORPUS:-.corpus}
mkdir -p $OUT
T=${BUDGET:-560}; start=$(date +%s)
left() { echo $(( T - ($(date +%s) - start) )); }
decode() { timeout 200 node dist/shaderml/material/decode-bench.js 3840 2160 50 "$@" 2>&1 | tee $OUT/decode.txt; }
S20="re-pk-wall re-mp-bricks nx-cretewall re-jojo-concrete re-pk-panels re-un-metal re-pk-floor nx-bigplate nx-metalplate nx-simplines"
if [ "${STEP:-final}" = ablation ]; then
  decode s1f1b2+s2f4b4+s4f4b2-f32 s1f1b2+s2f4b4+s4f4b2-int8 s1f1b2+s2f4b4c+s4f4b2-f32 s1f1b2+s2f4b4c+s4f4b2-int8 s1f1b2+s2f4b4c+s4f4b2-f32-uv \
    s2f5b4-f32 s2f5b4-int8 s2f5b4c-f32 s2f5b4c-int8 s4f16b2-f32-p4 s2f2b4c-f32 s2f2b4c-int8
  SETS="$C/npm-pm-normal-rock" ABLATE="base: c2:--grids,s2f2b4c c25:--grids,s2f2b4c+s4f4b2" BUDGET=$(left) bash bench/materials-h200.sh
  SETS="npm-pm-normal-pair re-torley-marble re-un-grate" ABLATE="base: c5:--grids,s2f5b4c c5m:--grids,s1f1b2+s2f3b4c" BUDGET=$(left) bash bench/materials-h200.sh
  SETS="$S20" ABLATE="base: c65:--grids,s1f1b2+s2f4b4c+s4f4b2 c65t:--grids,s1f1b4+s2f2b4c+s4f4b2" BUDGET=$(left) bash bench/materials-h200.sh
  exit 0
fi
if [ "${STEP:-final}" = next ]; then
  SETS="npm-pm-normal-rock re-mp-bricks re-pk-wall nx-cretewall re-jojo-concrete re-pk-panels re-torley-marble re-un-grate re-pk-floor re-un-metal nx-bigplate nx-metalplate nx-simplines npm-pm-normal-pair" \
    ABLATE="default:" ABLATE_LIMIT=60 BUDGET=$(( $(left) - 60 )) bash bench/materials-h200.sh
  SETS="npm-pm-normal-rock re-mp-bricks" ABLATE="after:--refine-during,none norefine:--refine,0" ABLATE_LIMIT=40 BUDGET=$(left) bash bench/materials-h200.sh
  SETS="re-pk-wall npm-pm-normal-rock re-pk-panels nx-cretewall re-jojo-concrete re-torley-marble re-un-grate re-mp-bricks" \
    ABLATE="psnr40:--psnr,40" ABLATE_LIMIT=90 BUDGET=$(left) bash bench/materials-h200.sh
  exit 0
fi
decode s1f1b4+s2f2b4c+s4f4b2-f32 s1f1b4+s2f2b4c+s4f4b2-int8 s1f1b4+s2f2b4c+s4f4b2-f32-uv s1f1b4+s2f2b4+s4f4b2-f32 s1f1b4+s2f2b4+s4f4b2-int8 \
  s2f2b4c+s4f4b2-f32 s2f2b4c+s4f4b2-int8
SETS="npm-pm-normal-rock $S20" ABLATE="default:" BUDGET=$(left) bash bench/materials-h200.sh
SETS="re-pk-wall npm-pm-normal-rock nx-cretewall re-pk-panels re-jojo-concrete re-torley-marble re-un-grate re-pk-floor re-un-metal nx-bigplate npm-pm-normal-pair re-mp-bricks" \
  ABLATE="psnr40:--psnr,40" ABLATE_LIMIT=90 BUDGET=$(left) bash bench/materials-h200.sh
