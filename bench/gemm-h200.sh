#!/usr/bin/env bash
# GEMM kernels on the GPU machine (device tool), after `bash bench/pack.sh` here:
#   carry [".gpu", "dist"]; command: bash bench/gemm-h200.sh
# wgml's sweep of every configuration (bench/gemm-kernels.ts, < 3 min), PyTorch on the same shapes
# (fp32 TF32 off and on), and the automatic choices again on a device without robustness transforms.
# Writes gpu.txt, gemm.txt, gemm.jsonl, gemm_torch.txt, gemm_torch.jsonl, gemm_norobust.txt into $OUT.
set -uo pipefail
source .gpu/enter.sh >/dev/null
mkdir -p "$OUT"
nvidia-smi --query-gpu=name,driver_version,clocks.sm --format=csv,noheader | tee "$OUT/gpu.txt"
node dist/bench/gemm-kernels.js --json "$OUT/gemm.jsonl" 2>&1 | grep -v '^Warning' > "$OUT/gemm.txt"
tail -20 "$OUT/gemm.txt"
python3 bench/gemm_torch.py --json "$OUT/gemm_torch.jsonl" 2>&1 | tee "$OUT/gemm_torch.txt"
node dist/bench/gemm-kernels.js --quick --no-robust 2>&1 | grep -v '^Warning' | tail -18 | tee "$OUT/gemm_norobust.txt"
