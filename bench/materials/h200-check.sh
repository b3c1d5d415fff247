#!/usr/bin/env bash
# Issue 13, eighteenth session (2026-12-06): this build on the H200 the targets name (asked as kind nvidia-h200; it came up as an H100), against the same session's
# H100 figures: the decode anchors with every output read (bench/materials-2026-12-06-outputs-h100), `--psnr 40` on three
# sets (-headb-h100, -heada-h100) and a 9-channel set's defaults (-nine-h100). One call with kind nvidia-h200:
#   npx tsc -p . && ../shared/gpu/pack.sh; mkdir -p .corpus-h2 && cp -r .corpus/{nx-cretewall,re-mp-bricks,re-un-grate,nx-cp-glow} .corpus-h2/
# carry [".gpu", "dist", ".corpus-h2"], `CORPUS=.corpus-h2 bash bench/materials/h200-check.sh`. Writes $OUT/decode.txt,
# $OUT/compress.jsonl and $OUT/log.txt.
source bench/materials/budget.sh
export DECODE_VARIANTS="s1f1b4+s2f2b4c+s4f4b2-f32-c6 s1f1b4+s2f2b4c+s4f4b2-int8-c6 s1f1b4+s2f2b4c+s4f4b2-f32 s1f1b4+s2f2b4c+s4f4b2-int8 s2f5b4c-f32-c4 s2f5b4c-int8-c4 s1f4b4+s2f8b4-int8"
SETS="nx-cretewall re-mp-bricks re-un-grate" ABLATE="psnr40:--psnr,40" ABLATE_LIMIT=75 BUDGET=$(( $(left) - 45 )) bash bench/materials-h200.sh
unset DECODE_VARIANTS
SETS="nx-cp-glow" ABLATE="default:" ABLATE_LIMIT=45 BUDGET=$(left) bash bench/materials-h200.sh
echo "total $(( $(date +%s) - start )) s"
