#!/usr/bin/env bash
# Issue 13, eighteenth session (2026-12-06): `--psnr 40` on every 512² set with one build (this one: the ladder's new top
# and the smallest near miss first, search.ts), for one table of where every set lands; and, with DECODE=1, the 4K decode
# + shade of the rungs a material of 12 or 16 outputs trains (decode-bench -c12/-c16; past the 8 outputs the decode
# budget is set for) beside the 6.5-bit anchor at 8. One H100/H200 call per half of the corpus:
#   npx tsc -p . && ../shared/gpu/pack.sh
#   mkdir -p .corpus-ha .corpus-hb && cp -r .corpus/{npm-pm-normal-pair,npm-pm-normal-rock,nx-bigplate,nx-metalplate,nx-simplines,re-torley-marble,re-un-grate} .corpus-ha/ \
#     && cp -r .corpus/{nx-cretewall,re-jojo-concrete,re-mp-bricks,re-pk-floor,re-pk-panels,re-pk-wall,re-un-metal} .corpus-hb/
# then carry [".gpu", "dist", ".corpus-ha"] with `CORPUS=.corpus-ha DECODE=1 bash bench/materials/head-h100.sh`, and
# [".gpu", "dist", ".corpus-hb"] with `CORPUS=.corpus-hb bash bench/materials/head-h100.sh`.
# Writes $OUT/compress.jsonl, $OUT/log.txt and (DECODE=1) $OUT/decode.txt.
source bench/materials/budget.sh
v() { for r in "$@"; do for c in "" -c12 -c16; do echo -n "$r-f32$c $r-int8$c "; done; done; }
if [ "${DECODE:-0}" = 1 ]; then
  export DECODE_VARIANTS="s1f1b4+s2f2b4c+s4f4b2-f32 s1f1b4+s2f2b4c+s4f4b2-int8 $(v s1f1b4+s2f2b4+s4f4b2 s2f5b4 s1f1b4+s2f8b4 s1f4b4+s2f8b4)"
fi
SETS="$(ls $CORPUS)" ABLATE="psnr40:--psnr,40" ABLATE_LIMIT=90 BUDGET=$(left) bash bench/materials-h200.sh
echo "total $(( $(date +%s) - start )) s"
