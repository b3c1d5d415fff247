#!/usr/bin/env bash
# Packs what bench/h100.sh needs into .gpu/ (ignored): Node, loaders, production node_modules
# (../shared/gpu/pack.sh), plus the ONNX Runtime Web files its WebGPU EP needs and the peer scripts.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p . || echo "(type errors above; dist was still emitted)"
npx esbuild bench/conv-kernels.ts --bundle --platform=node --format=esm --packages=external --outfile=dist/bench/conv-kernels.js --log-level=warning 2>/dev/null || true
npx esbuild bench/gemm-kernels.ts --bundle --platform=node --format=esm --packages=external --outfile=dist/bench/gemm-kernels.js --log-level=warning 2>/dev/null || true
npx esbuild bench/attention.ts --bundle --platform=node --format=esm --packages=external --outfile=dist/bench/attention.js --log-level=warning 2>/dev/null || true
npx esbuild bench/plan-time.ts --bundle --platform=node --format=esm --packages=external --outfile=dist/bench/plan-time.js --log-level=warning 2>/dev/null || true
npx esbuild bench/model-nodes.ts --bundle --platform=node --format=esm --packages=external --outfile=dist/bench/model-nodes.js --log-level=warning 2>/dev/null || true
npx esbuild bench/recording-check.ts --bundle --platform=node --format=esm --packages=external --outfile=dist/bench/recording-check.js --log-level=warning 2>/dev/null || true
npx esbuild bench/recording-bisect.ts --bundle --platform=node --format=esm --packages=external --outfile=dist/bench/recording-bisect.js --log-level=warning 2>/dev/null || true
bash ../shared/gpu/pack.sh
tmp=$(mktemp -d)
mkdir -p $tmp/node_modules/onnxruntime-web/dist $tmp/peers
cp node_modules/onnxruntime-web/package.json $tmp/node_modules/onnxruntime-web/
cp node_modules/onnxruntime-web/dist/{ort.webgpu.min.mjs,ort-wasm-simd-threaded.asyncify.mjs,ort-wasm-simd-threaded.asyncify.wasm} $tmp/node_modules/onnxruntime-web/dist/
cp ../shared/peers/*.mjs $tmp/peers/
tar -C $tmp -cf - . | xz -T2 -6 > .gpu/ort.tar.xz
rm -rf $tmp
du -sh .gpu
