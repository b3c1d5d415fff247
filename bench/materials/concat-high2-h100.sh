#!/usr/bin/env bash
# Issue 13, twenty-fourth session (2026-12-06): the 8-, 9- and 10-bit layouts of materials of more than 4 outputs
# (ladder.ts highTapsForm: s1f3b2+s2f2b4c, s1f3b2+s2f3b4c, s1f2b4+s2f2b4c, each with the rung it replaced as twin), taken
# on four sets in -concathigh-h200. This call: the same 64000-step comparison on two more 6-output sets (re-mp-bricks,
# nx-bigplate), then the --psnr 40 search whose path meets those rungs, run whole on this build (near-replay.mjs lists
# it: re-pk-wall; materials of 7 outputs and more keep the old rungs since HIGH_TAPS_MAX_CHANNELS), then
# re-wickedrock19-2k's (its pick was 8.5 bits).
# Here first: `npx tsc -p . && ../shared/gpu/pack.sh`, then
#   mkdir -p .corpus-c2 && for s in re-mp-bricks nx-bigplate re-pk-wall; do cp -r .corpus/$s .corpus-c2/; done
#   cp -r .corpus-w/re-wickedrock19-2k .corpus-c2/          # its source JPEGs, as in rest-2k-h100.sh
# carry [".gpu", "dist", ".corpus-c2"] (64 MiB with ~3.6 to spare) and `CORPUS=.corpus-c2 bash bench/materials/concat-high2-h100.sh` (~470 s).
# Writes $OUT/decode.txt (the layouts' decode with latents packed or balanced) and $OUT/compress.jsonl.
DEFAULT_BUDGET=585 source bench/materials/budget.sh
mkdir -p $OUT
# Their decode with latents packed (what a memory-tight app loads: stored bits on the GPU), beside the default's.
# And with latents: 'balanced' (upload.ts: the finest grid packed, the coarser ones expanded), added after the queueing,
# beside the expanded default on the same card.
v() { local c=$1; shift; for r in "$@"; do for s in "" -packed -balanced; do echo -n "$r-f32$s$c $r-int8$s$c "; done; done; }
timeout 120 node dist/shaderml/material/decode-bench.js 3840 2160 50 $(v "" s1f3b2+s2f2b4c s1f2b4+s2f2b4c s1f1b4+s2f3b4c s1f1b4+s2f2b4c+s4f4b2) \
  $(v -c6 s1f3b2+s2f3b4c) 2>&1 | grep -v Warning | tee $OUT/decode.txt
# COMPARE=0 leaves these out (a call short of device time: the searches' rows are the ones out of date).
[ "${COMPARE:-1}" = 1 ] && SETS="re-mp-bricks nx-bigplate" \
  ABLATE="c80:--grids,s1f3b2+s2f2b4c m80:--grids,s1f1b4+s2f4b4 c90:--grids,s1f3b2+s2f3b4c m90:--grids,s1f1b4+s2f5b4 c100:--grids,s1f2b4+s2f2b4c m100:--grids,s1f1b4+s2f6b4" \
  ABLATE_LIMIT=40 BUDGET=$(( $(left) - ${REST:-280} )) bash bench/materials-h200.sh
SETS="re-pk-wall" ABLATE="psnr40:--psnr,40" ABLATE_LIMIT=75 BUDGET=$(( $(left) - ${REST2:-200} )) bash bench/materials-h200.sh
# The 2048² search only where the time is left for it (BUDGET=240 REST=80 REST2=0 runs the rest without it).
[ $(left) -gt 180 ] && SETS=re-wickedrock19-2k ABLATE="psnr40:--psnr,40" ABLATE_LIMIT=$(( $(left) - 5 )) BUDGET=$(left) bash bench/materials-h200.sh
echo "total $(( $(date +%s) - start )) s"
