#!/usr/bin/env bash
# Issue 13, twenty-sixth session (2026-12-07): with a full-resolution grid read at the texel alone (decode.ts), the
# layouts the ladder left out for their decode time may fit: the 8–10-bit layouts with the half-bit rungs'
# quarter-resolution grid (s1f3b2+s2f2b4c+s4f4b2, s1f3b2+s2f3b4c+s4f4b2, s1f2b4+s2f2b4c+s4f4b2; 0.401–0.430 ms int8 at 6
# outputs by the fit before), the 9-bit layout at 8 outputs (0.403 before) and the 24-bit top at 8, 12 and 16 outputs
# (0.404, 0.417, 0.437 before). Measured only (expanded, as loaded by default); decode-cost.ts keeps its rows.
# Ran 2026-12-07 inside refine-own-h100.sh (bench/materials-2026-12-07-refineown-h100/decode.txt).
# Here first: `npx tsc -p . && ../shared/gpu/pack.sh`; carry [".gpu", "dist"] and `bash bench/materials/half-bit-layouts-h100.sh` (~80 s).
DEFAULT_BUDGET=150 source bench/materials/budget.sh
mkdir -p $OUT
e() { local c=$1; shift; for r in "$@"; do echo -n "$r-f32$c $r-int8$c "; done; }
timeout 140 node dist/shaderml/material/decode-bench.js 3840 2160 50 s1f1b4+s2f2b4c+s4f4b2-f32 s1f1b4+s2f2b4c+s4f4b2-int8 \
  $(e -c6 s1f3b2+s2f2b4c+s4f4b2 s1f3b2+s2f3b4c+s4f4b2 s1f2b4+s2f2b4c+s4f4b2) $(e "" s1f3b2+s2f2b4c+s4f4b2 s1f3b2+s2f3b4c+s4f4b2 s1f2b4+s2f2b4c+s4f4b2 s1f3b2+s2f3b4c s1f4b4+s2f8b4) \
  $(e -c12 s1f4b4+s2f8b4) $(e -c16 s1f4b4+s2f8b4) 2>&1 | grep -v Warning | tee $OUT/decode.txt
echo "total $(( $(date +%s) - start )) s"
