#!/usr/bin/env bash
# Issue 13, twenty-eighth session (2026-12-07): the quality half of admitting the 8.5-bit layout with concatenated taps.
# With the one-tap read of a full-resolution grid, s1f3b2+s2f2b4c+s4f4b2 decodes within the limits at 6 and 8 outputs
# (0.552 / 0.395 and 0.576 / 0.399 ms f32 / int8, -refineown-h100), where it had been left out by the fit (0.401–0.430
# int8). This trains it at 64000 steps against the ladder's 8.5-bit rung for materials of 5–6 outputs,
# s1f1b4+s2f4b4+s4f4b2, on the four 6-output sets of the 8–10-bit study plus re-mp-bricks, so the next session can
# decide whether highTapsForm takes the quarter-resolution grid (ladder.ts).
# Here first: `npx tsc -p . && ../shared/gpu/pack.sh`, then
#   mkdir -p .corpus-hb && for s in re-jojo-concrete nx-cretewall re-pk-wall re-un-metal re-mp-bricks; do cp -r .corpus/$s .corpus-hb/; done
# and carry [".gpu", "dist", ".corpus-hb"] with `CORPUS=.corpus-hb bash bench/materials/half-bit-quality-h100.sh` (~250 s).
# Writes $OUT/compress.jsonl.
DEFAULT_BUDGET=480 source bench/materials/budget.sh
mkdir -p $OUT
SETS="re-jojo-concrete nx-cretewall re-pk-wall re-un-metal re-mp-bricks" \
  ABLATE="c85:--grids,s1f3b2+s2f2b4c+s4f4b2 m85:--grids,s1f1b4+s2f4b4+s4f4b2" \
  ABLATE_LIMIT=45 BUDGET=$(( $(left) - 5 )) bash bench/materials-h200.sh
echo "total $(( $(date +%s) - start )) s"
