#!/usr/bin/env bash
# Issue 13, twenty-sixth session (2026-12-07), after own-texel-h100.sh: the packed codes' bit trick bought nothing there
# (grids at half resolution packed: +0.000…+0.009 ms) and is reverted; this build (the one-tap read alone) timed on the
# 4K decode, expanded / balanced / packed, and through the sampler path (`-uv`, what a fragment shader calls: a packed
# grid is filtered by hand there, four taps a level) for the 20-bit default and the 8-bit layout.
# Here first: `npx tsc -p . && ../shared/gpu/pack.sh`; carry [".gpu", "dist"] and `bash bench/materials/own-texel2-h100.sh` (~90 s).
DEFAULT_BUDGET=200 source bench/materials/budget.sh
mkdir -p $OUT
v() { local c=$1; shift; for r in "$@"; do for s in "" -balanced -packed; do echo -n "$r-f32$s$c $r-int8$s$c "; done; done; }
u() { for r in "$@"; do for s in "" -balanced -packed; do echo -n "$r-f32$s-uv $r-int8$s-uv "; done; done; }
timeout 170 node dist/shaderml/material/decode-bench.js 3840 2160 50 $(v "" s1f3b2+s2f2b4c s1f2b4+s2f2b4c s1f1b4+s2f3b4c s1f1b4+s2f2b4c+s4f4b2) \
  $(v -c6 s1f3b2+s2f3b4c) $(u s1f1b4+s2f2b4c+s4f4b2 s1f3b2+s2f2b4c) 2>&1 | grep -v Warning | tee $OUT/decode.txt
echo "total $(( $(date +%s) - start )) s"
