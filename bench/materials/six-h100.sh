#!/usr/bin/env bash
# Issue 13, twentieth session (2026-12-06), second call. probe-h100.sh found the 6-bit rung of materials of more than 4
# outputs (s1f1b2+s2f4b4, twin s1f1b4+s2f2b4) below the 5-bit one (s1f1b2+s2f3b4c) on 4 of 5 20-bit sets at 64000 steps
# (jojo 37.98 against 42.77, cretewall 38.26 against 41.09): `--bits 6` gave less than `--bits 5`. Candidates that
# keep the 5-bit rung's concatenated taps and decode within the limits (estimated 0.369 and 0.374 ms int8 at 8 outputs):
# cA s1f1b4+s2f2b4c and cB s1f2b2+s2f2b4c, at 64000 steps (what the default and --bits train) on eight 20-bit sets, with
# the current pair and the 5-bit rung on the three sets probe-h100.sh did not run. Then re-jojo-concrete's long training
# (4.5 bits, 40.25 dB at 8000 steps, 37.13 at 64000; neither the per-texture weights, half the decoder's learning rate nor
# another seed explained it): half the latents' learning rate, no QAT, straight-through rounding from 95% of the steps (--ste-from; 70% by default).
# Here first: `npx tsc -p . && ../shared/gpu/pack.sh`, then
#   mkdir .corpus-n3 && for s in re-jojo-concrete nx-cretewall re-pk-panels re-pk-wall re-mp-bricks re-un-metal nx-metalplate nx-bigplate; do cp -r .corpus/$s .corpus-n3/; done
# and carry [".gpu", "dist", ".corpus-n3"] with `CORPUS=.corpus-n3 bash bench/materials/six-h100.sh`. Writes $OUT/decode.txt and $OUT/compress.jsonl.
DEFAULT_BUDGET=560 source bench/materials/budget.sh
mkdir -p $OUT
v() { local c=$1; shift; for r in "$@"; do echo -n "$r-f32$c $r-int8$c "; done; }
timeout 60 node dist/shaderml/material/decode-bench.js 3840 2160 50 $(v "" s1f2b2+s2f2b4c s1f1b4+s2f2b4c s1f1b2+s2f3b4c) \
  $(v -c6 s1f2b2+s2f2b4c s1f1b4+s2f2b4c) 2>&1 | grep -v Warning | tee $OUT/decode.txt
# Most telling first, since the device may come late: both candidates on all eight sets, then the current rung and the
# 5-bit one on the three sets probe-h100.sh did not run, then the current twin there.
SETS="re-jojo-concrete nx-cretewall re-pk-panels re-pk-wall re-mp-bricks re-un-metal nx-metalplate nx-bigplate" \
  ABLATE="cA:--grids,s1f1b4+s2f2b4c cB:--grids,s1f2b2+s2f2b4c" ABLATE_LIMIT=40 BUDGET=$(( $(left) - 100 )) bash bench/materials-h200.sh
SETS="re-un-metal nx-metalplate nx-bigplate" ABLATE="b60:--grids,s1f1b2+s2f4b4 a50:--grids,s1f1b2+s2f3b4c" \
  ABLATE_LIMIT=40 BUDGET=$(( $(left) - 40 )) bash bench/materials-h200.sh
SETS="re-un-metal nx-metalplate nx-bigplate" ABLATE="t60:--grids,s1f1b4+s2f2b4" ABLATE_LIMIT=40 BUDGET=$(( $(left) - 40 )) bash bench/materials-h200.sh
J=s1f1b2+s2f2b4c+s4f4b2
SETS="re-jojo-concrete" ABLATE="lrlat:--grids,$J,--lr-latent,0.025 noqat:--grids,$J,--no-qat ste95:--grids,$J,--ste-from,0.95" \
  ABLATE_LIMIT=40 BUDGET=$(left) bash bench/materials-h200.sh
echo "total $(( $(date +%s) - start )) s"
