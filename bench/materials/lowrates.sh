#!/usr/bin/env bash
# Concatenated taps from 2 to 5 bits, chosen per material by its decode cost (decode-cost.ts, search.ts ladderFor), on
# the H200: one device call (BUDGET seconds, default 560), written 2026-12-05 without a device. Here first:
# `npx tsc -p . && ../shared/gpu/pack.sh && node bench/materials/corpus.mjs`; carry [".gpu", "dist", ".corpus"]
# (.corpus/re-un-atlas-2k, .corpus/re-wickedrock19-2k and .gpu/testdata.tar.xz moved aside to stay within 64 MiB). In order while time is left:
#  1. 4K decode + shade of the new rungs at the decoder outputs the ladder gives them to (-c2 a lone normal map, -c4 two
#     normal maps or scalar albedo + normal + scalar, -c5 albedo + normal, -c6 albedo + normal + scalar, none: 8), beside
#     s2f5b4c at 8 outputs, measured 0.595 / 0.408 on 2026-12-05, as the anchor: whether the model's estimates hold;
#  2. the defaults of the sets whose default rung changed: the 16-bit sets (4 outputs: s2f5b4 → s2f5b4c, its twin);
#     before them two sets whose default did not change (re-mp-bricks, npm-pm-normal-rock), for the time refinement takes
#     with the cooperative kernel (refine.ts, several invocations a latent): 17.2 s a default on 2026-12-05 with the old one,
#     and with the rounds during training (23.0 s then, for +0.05-0.07 dB: off by default for that cost alone);
#  3. `--psnr 40` where the search climbs through 3–5 bits: the lone normal map, the 16-bit sets, the 20-bit sets that
#     passed at low rates;
#  4. exact pairs at 4 and 3 bits, 2-bit codes blended against 4-bit codes concatenated, on the lone normal map, two
#     16-bit sets (4 outputs) and two 20-bit sets (6 outputs; search.ts LOW_CONCAT_MAX_CHANNELS), then 4-bit against 2-bit
#     codes at 5 bits on the 16-bit sets and at 6.5 bits on 20-bit sets (chosen before code refinement existed; the
#     concatenated rungs' twins are their 2-bit forms since, search.ts twinFor).
# `STEP=2k` instead (a call of its own): the 2048² set added on 2026-12-05, re-wickedrock19-2k, with defaults and
# `--psnr 40` (≤ 5 min each is the target), then `--psnr 40` on the 20-bit sets whose searches stopped between ¼ and ⅓
# of BC before refinement and the low-rate ladder (the moonshot: ≥ 40 dB at ≤ ¼ of BC), in the last MOON_S seconds (200). CORPUS=.corpus-2k (ignored;
# carry it) holds the 2048² set as its three source JPEGs (2.3 MiB, the same texels as corpus.mjs's 14 MiB of PNG:
# wgml reads JPEG; redeclipse-data's wicked/wickedrock19{,n,s}.jpg as albedo/normal/spec.jpg) and copies of those sets.
# Writes $OUT/compress.jsonl (materials-h200.sh's summary lines), $OUT/decode.txt, $OUT/log.txt.
set -uo pipefail
[ -f .gpu/enter.sh ] && source .gpu/enter.sh >/dev/null
mkdir -p $OUT
T=${BUDGET:-560}; start=$(date +%s)
left() { echo $(( T - ($(date +%s) - start) )); }
v() { for p in f32 int8; do echo "$1-$p${2:+-$2}"; done; }
if [ "${STEP:-}" = 2k ]; then
  SETS="re-wickedrock19-2k" ABLATE="default: psnr40:--psnr,40" ABLATE_LIMIT=300 BUDGET=$(( $(left) - ${MOON_S:-200} )) bash bench/materials-h200.sh
  SETS="nx-bigplate re-un-metal re-pk-floor re-jojo-concrete re-pk-panels" ABLATE="psnr40:--psnr,40" ABLATE_LIMIT=60 BUDGET=$(left) bash bench/materials-h200.sh
  exit 0
fi
# `STEP=more` (CORPUS holding re-un-atlas-2k, re-mp-bricks and three 20-bit sets): the atlas's `--psnr 40` with this
# ladder (125 s and 0.31 of BC on 2026-12-03); the defaults, now at twice a trial's steps (search.ts ONE_CONFIG_STEPS;
# measured on bricks and the wall only), on two more 20-bit sets;
# what bricks' `--psnr 40` reaches (no result within 80 s on 2026-12-05); then, if time is left, refinement rounds
# during training against none (+8% time for +0.05-0.16 dB on two sets so far). First, where a training step's time goes
# (train-bench.ts: each kernel alone), at 512² and 2048², on the H200 (the H100's: bench/materials-2026-12-06-speed-h100/).
if [ "${STEP:-}" = more ]; then
  R=s1f1b4+s2f2b4c+s4f4b2
  timeout 50 node dist/shaderml/material/train-bench.js 512 512 6 20 $R:65536 $R:262144 s2f5b4c:65536 2>&1 | grep -v Warning | tee $OUT/train-bench.txt
  timeout 30 node dist/shaderml/material/train-bench.js 2048 2048 6 10 $R:65536 2>&1 | grep -v Warning | tee -a $OUT/train-bench.txt
  SETS="re-un-atlas-2k" ABLATE="psnr40:--psnr,40" ABLATE_LIMIT=240 BUDGET=$(( $(left) - 300 )) bash bench/materials-h200.sh
  SETS="nx-cretewall re-pk-panels" ABLATE="default:" ABLATE_LIMIT=45 BUDGET=$(( $(left) - 120 )) bash bench/materials-h200.sh
  SETS="re-mp-bricks" ABLATE="psnr40:--psnr,40" ABLATE_LIMIT=150 BUDGET=$(left) bash bench/materials-h200.sh
  SETS="re-pk-wall nx-cretewall re-pk-panels" ABLATE="during:--refine-during,0.75;0.85;0.95" ABLATE_LIMIT=30 BUDGET=$(left) bash bench/materials-h200.sh
  exit 0
fi
timeout 150 node dist/shaderml/material/decode-bench.js ${DECODE_ARGS:-3840 2160 50} $(v s2f5b4c) $(v s2f5b4c c4) $(v s2f5b4c c5) \
  $(v s2f3b4c) $(v s2f4b4c) $(v s2f3b4c+s4f4b2) $(v s2f3b4c+s4f4b2 c6) $(v s2f4b4c+s4f4b2 c2) $(v s2f4b4c+s4f4b2 c4) $(v s2f4b4c c2) \
  $(v s1f1b2+s2f8b2+s4f4b2 c6) $(v s1f1b4+s2f2b4c+s4f4b2 c6) 2>&1 | tee $OUT/decode.txt
SETS="re-mp-bricks npm-pm-normal-rock" ABLATE="default: during:--refine-during,0.75;0.85;0.95" ABLATE_LIMIT=40 BUDGET=$(( $(left) - 250 )) bash bench/materials-h200.sh
SETS="npm-pm-normal-pair re-torley-marble re-un-grate" ABLATE="default:" ABLATE_LIMIT=40 BUDGET=$(( $(left) - 200 )) bash bench/materials-h200.sh
SETS="npm-pm-normal-rock re-torley-marble re-un-grate npm-pm-normal-pair nx-simplines nx-metalplate" \
  ABLATE="psnr40:--psnr,40" ABLATE_LIMIT=80 BUDGET=$(( $(left) - 60 )) bash bench/materials-h200.sh
SETS="npm-pm-normal-rock re-torley-marble re-un-grate nx-metalplate re-pk-wall" \
  ABLATE="g4:--grids,s2f8b2 g4c:--grids,s2f4b4c g3:--grids,s2f6b2 g3c:--grids,s2f3b4c" ABLATE_LIMIT=30 BUDGET=$(( $(left) - 100 )) bash bench/materials-h200.sh
# 4-bit against 2-bit codes at 5 and 6.5 bits now that codes are refined (2-bit codes gain more from it: NOTES-materials.md).
SETS="re-torley-marble re-un-grate npm-pm-normal-pair" ABLATE="g5c:--grids,s2f5b4c g5b2:--grids,s2f10b2" ABLATE_LIMIT=30 BUDGET=$(( $(left) - 120 )) bash bench/materials-h200.sh
SETS="re-mp-bricks re-pk-wall nx-cretewall re-pk-panels" ABLATE="g65:--grids,s1f1b4+s2f2b4c+s4f4b2 g65b2:--grids,s1f1b2+s2f8b2+s4f4b2" ABLATE_LIMIT=30 BUDGET=$(left) bash bench/materials-h200.sh
