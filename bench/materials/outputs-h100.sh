#!/usr/bin/env bash
# Issue 13, eighteenth session (2026-12-06): the 4K decode + shade with every decoder output read. Until this session
# decode-bench's shade read albedo, normal and roughness and the compiler dropped the other outputs' last layer (8, 12
# and 16 outputs timed alike, -heada-h100), so its "8-output" rows timed 6 outputs and its two-normal-map rows 2
# (decode-cost.ts). This times, with all outputs read, the rungs whose place in the ladder the corrected model moves:
# s2f5b4c at 4 and 5 outputs (the 16-bit sets' 5-bit rung), the 20-bit sets' default at 6 and 8, the twins at 6 that it
# puts just over the int8 limit, the top at 8, and 12 and 16 outputs for the slope. One H100/H200 call:
#   npx tsc -p . && ../shared/gpu/pack.sh; carry [".gpu", "dist"]; `bash bench/materials/outputs-h100.sh`. Writes $OUT/decode.txt.
source bench/materials/budget.sh
mkdir -p $OUT
v() { local c=$1; shift; for r in "$@"; do echo -n "$r-f32$c $r-int8$c "; done; }
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee $OUT/gpu.txt
timeout $(( $(left) - 10 )) node dist/shaderml/material/decode-bench.js 3840 2160 50 \
  $(v -c4 s2f5b4c s2f4b4c+s4f4b2) $(v -c5 s2f5b4c) \
  $(v -c6 s1f1b4+s2f2b4c+s4f4b2 s1f1b2+s2f8b2+s4f4b2 s1f1b2+s2f6b4+s4f4b2 s1f1b2+s2f7b4+s4f4b2 s1f1b2+s2f10b4) \
  $(v "" s1f1b4+s2f2b4c+s4f4b2 s1f1b4+s2f2b4+s4f4b2 s1f1b4+s2f5b4+s4f4b2 s1f4b4+s2f8b4 s2f5b4) \
  $(v -c12 s1f1b4+s2f2b4+s4f4b2 s1f4b4+s2f8b4) $(v -c16 s1f1b4+s2f2b4+s4f4b2 s1f4b4+s2f8b4 s2f5b4) 2>&1 | tee $OUT/decode.txt
echo "total $(( $(date +%s) - start )) s"
