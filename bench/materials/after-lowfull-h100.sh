#!/usr/bin/env bash
# Issue 13, written in the nineteenth session (2026-12-06) for the next device call, after the full-resolution 4–5-bit
# rungs (ladder.ts fullResForm) left these open (bench/NOTES-materials.md, "A full-resolution feature from 4 bits"):
#  1. the 4K decode + shade of a 5.5-bit candidate for materials of more than 4 outputs, s1f1b4+s2f1b4c+s4f4b2 (11
#     decoder inputs), at 6 and 8 outputs: the ladder has no 5.5-bit rung, and its 6-bit rung (s1f1b2+s2f4b4, blended)
#     scored below the new 5-bit one on four of eight 20-bit sets as trials;
#  2. why re-jojo-concrete trains worse for longer (4.5 bits: 40.25 dB at 8000 steps, 37.13 at 64000): the same rung at
#     64000 steps without per-texture weights, with half the decoder learning rate, and with another seed;
#  3. the 5.5-bit candidate and the 5-bit rung at 64000 steps on five 20-bit sets, against the 6-bit rung and its twin
#     (the default trains both): does a 5.5-bit rung belong in the ladder, and should 6 bits change.
# Here first: `npx tsc -p . && ../shared/gpu/pack.sh`, then
#   mkdir .corpus-n2 && for s in re-jojo-concrete nx-cretewall re-pk-panels re-pk-wall re-mp-bricks; do cp -r .corpus/$s .corpus-n2/; done
# and carry [".gpu", "dist", ".corpus-n2"] with `CORPUS=.corpus-n2 bash bench/materials/after-lowfull-h100.sh`.
# Writes $OUT/decode.txt, $OUT/jojo-phases-*.log and $OUT/compress.jsonl. The atlas, the one 5-output set, is bench/materials/atlas-psnr-h100.sh
# with ABLATE_DEFAULT=1 (its default now trains s1f1b2+s2f3b4c and its twin s2f10b2, and its search starts there).
DEFAULT_BUDGET=560 source bench/materials/budget.sh
mkdir -p $OUT
v() { local c=$1; shift; for r in "$@"; do echo -n "$r-f32$c $r-int8$c "; done; }
timeout 60 node dist/shaderml/material/decode-bench.js 3840 2160 50 $(v "" s1f1b4+s2f1b4c+s4f4b2 s1f1b4+s2f2b4c+s4f4b2) \
  $(v -c6 s1f1b4+s2f1b4c+s4f4b2) 2>&1 | grep -v Warning | tee $OUT/decode.txt
J=s1f1b2+s2f2b4c+s4f4b2
# The PSNR after each phase (training, quantization and code refinement, fine-tuning) at 8000 and 64000 steps: where the
# longer training loses (the runs below print only the end).
for st in 8000 64000; do timeout 40 node dist/cli/main.js compress ${CORPUS:?}/re-jojo-concrete --grids $J --steps $st -o /tmp/jojo.wgmat 2>&1 >/dev/null \
  | tr '\r' '\n' | grep -E '100%|in all' > $OUT/jojo-phases-$st.log; done
SETS="re-jojo-concrete" ABLATE="nobal:--grids,$J,--no-balance halflr:--grids,$J,--lr,0.005 seed2:--grids,$J,--seed,2" \
  ABLATE_LIMIT=40 BUDGET=$(( $(left) - 320 )) bash bench/materials-h200.sh
SETS="re-jojo-concrete nx-cretewall re-pk-panels re-pk-wall re-mp-bricks" \
  ABLATE="c55:--grids,s1f1b4+s2f1b4c+s4f4b2 a50:--grids,s1f1b2+s2f3b4c b60:--grids,s1f1b2+s2f4b4 t60:--grids,s1f1b4+s2f2b4" \
  ABLATE_LIMIT=40 BUDGET=$(left) bash bench/materials-h200.sh
echo "total $(( $(date +%s) - start )) s"
