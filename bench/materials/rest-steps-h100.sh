#!/usr/bin/env bash
# Issue 13, twenty-second session (2026-12-06): one H100/H200 call. First the defaults of the eleven 512² sets not rerun
# since latents train with noise to the end (noise-rest-h100.sh STEP=512, ~330 s), then, while time is left, whether
# twice the steps pays now that long runs no longer degrade (NOTES "Noise to the end"): one rung per set by hand at the
# default 64000 steps and at 128000, weakest texture against time. Here first: `npx tsc -p . && ../shared/gpu/pack.sh`;
# carry [".gpu", "dist", ".corpus-s"] and `CORPUS=.corpus-s bash bench/materials/rest-steps-h100.sh`.
# Writes $OUT/compress.jsonl and $OUT/log.txt.
DEFAULT_BUDGET=570 source bench/materials/budget.sh
STEP=512 BUDGET=$(( $(left) - 170 )) bash bench/materials/noise-rest-h100.sh
SETS="re-un-grate" ABLATE="g64:--grids,s2f4b4c,--steps,64000 g128:--grids,s2f4b4c,--steps,128000" ABLATE_LIMIT=60 BUDGET=$(( $(left) - 60 )) bash bench/materials-h200.sh
SETS="re-pk-panels" ABLATE="p128:--grids,s1f1b2+s2f2b4c+s4f4b2,--steps,128000" ABLATE_LIMIT=50 BUDGET=$(left) bash bench/materials-h200.sh
echo "total $(( $(date +%s) - start )) s"
