#!/usr/bin/env bash
# The tests that hold kernels to numerics the WGSL spec leaves loose (division, sin/cos, log, the DFT's
# twiddles, integer requantization, the ONNX backend cases), run again on SwiftShader: a second conforming
# Vulkan device whose builtins are coarser than lavapipe's, which is how three backend failures were found
# (bench/coverage/README.md). ~30 s on 2 cores. Part of `npm test`; skipped, saying so, without chromium's
# SwiftShader.
set -euo pipefail
icd=/usr/lib/chromium/vk_swiftshader_icd.json
if [ ! -f "$icd" ]; then
  echo "test-swiftshader: skipped, $icd not found (Debian's chromium package installs it; scripts/setup.sh does)"
  exit 0
fi
cd "$(dirname "$0")/.."
VK_ICD_FILENAMES=$icd WGML_REPORT=0 npx vitest run test/conformance.test.ts test/ops/elementwise test/ops/signal test/ops/quant test/ops/linalg/det.test.ts
