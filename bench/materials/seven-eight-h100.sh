#!/usr/bin/env bash
# Issue 13, twenty-ninth session (2026-12-07): the 8-, 8.5- and 10-bit layouts of ladder.ts highTapsForm are taken up to
# 6 outputs (HIGH_TAPS_MAX_CHANNELS; measured with gains at 6, lost at 9 on lavapipe crops); 7 and 8 outputs were never
# measured and keep the old rungs. An albedo + normal + packed-mask material (occlusion, roughness, metal) has 8. This
# call trains, at a default's 64000 steps, each layout, the rung it would replace and that rung's twin (the pair the
# default and --bits train today), on three sets of 7 and 8 outputs made from the corpus's 9-output sets by leaving one
# texture out: dt8 (re-un-darktile-height without height: albedo, normal, colour specular), glow8 (nx-cp-glow without
# gloss: albedo, normal, glow), dt7 (re-un-darktile-height without its normal map: albedo, colour specular, height).
# Here first: `npx tsc -p . && ../shared/gpu/pack.sh`, then
#   rm -rf .corpus-78 && mkdir -p .corpus-78/{dt8,glow8,dt7}
#   cp .corpus/re-un-darktile-height/{albedo,normal,spec}.png .corpus-78/dt8/
#   cp .corpus/nx-cp-glow/{albedo,normal,glow}.png .corpus-78/glow8/
#   cp .corpus/re-un-darktile-height/{albedo,spec,height}.png .corpus-78/dt7/
# carry [".gpu", "dist", ".corpus-78"] and `CORPUS=.corpus-78 bash bench/materials/seven-eight-h100.sh` (~420 s).
# Writes $OUT/compress.jsonl.
DEFAULT_BUDGET=560 source bench/materials/budget.sh
mkdir -p $OUT
SETS="dt8 glow8 dt7" ABLATE="c80:--grids,s1f3b2+s2f2b4c m80:--grids,s1f1b4+s2f4b4 t80:--grids,s1f1b2+s2f6b4 c85:--grids,s1f3b2+s2f2b4c+s4f4b2 m85:--grids,s1f1b4+s2f4b4+s4f4b2 c100:--grids,s1f2b4+s2f2b4c m100:--grids,s1f1b4+s2f6b4 t100:--grids,s1f1b2+s2f8b4" \
  ABLATE_LIMIT=40 BUDGET=$(( $(left) - 5 )) bash bench/materials-h200.sh
echo "total $(( $(date +%s) - start )) s"
