#!/usr/bin/env bash
# The ONNX backend node tests on the H200 (bench/conformance-device.mjs), one device call of ~1 min. Here first:
# `npx tsc -p . && bash ../shared/gpu/pack.sh && tar cJf .gpu/testdata.tar.xz -C /usr/share/libonnx-testdata
# data/node data/simple data/pytorch-converted data/pytorch-operator`; then carry [".gpu", "dist"], command
# `bash bench/h200-conformance.sh`. Output: $OUT/conformance.json and the log.
set -uo pipefail
[ -f .gpu/enter.sh ] && source .gpu/enter.sh >/dev/null
mkdir -p "$OUT" /tmp/onnx-testdata
tar xJf .gpu/testdata.tar.xz -C /tmp/onnx-testdata
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
timeout 500 node bench/conformance-device.mjs /tmp/onnx-testdata/data 2>&1 | grep -v '^Warning' | tee "$OUT/log"
