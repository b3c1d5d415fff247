#!/usr/bin/env bash
# Ran on 2026-12-05 (call a of bench/quant-2026-12-05/; figures in bench/RESULTS.md).
# What the sessions of 2026-12-04 and -05 could not run on a device, in one call (~6 min, one start instead of two):
# the backend tests on the H200 (div_rn now divides significands in integers: does DynamicQuantizeLinear pass
# there?), then the quantized encoder (bench/h200-quant.sh). Here first: `npx tsc -p . && bash ../shared/gpu/pack.sh
# && tar cJf .gpu/testdata.tar.xz -C /usr/share/libonnx-testdata data/node data/simple data/pytorch-converted
# data/pytorch-operator`; then carry [".gpu", "dist"], command `bash bench/h200-pending.sh`.
set -uo pipefail
OUT0=$OUT
mkdir -p "$OUT0/conformance" "$OUT0/quant"
OUT=$OUT0/conformance bash bench/h200-conformance.sh
OUT=$OUT0/quant bash bench/h200-quant.sh
