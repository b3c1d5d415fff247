#!/usr/bin/env bash
# Issue 13, twenty-second session (2026-12-06): one H100/H200 call for re-wickedrock19-2k's rows, not rerun since latents
# train with noise to the end: its default (~195 s), then its --psnr 40 (~200 s). The tree, .gpu and dist leave ~6 MiB
# of the 64 that travel, so the set goes as its source JPEGs (albedo, normal; 2.1 MB, read by the same jpeg-js the
# corpus's PNGs came from: identical targets) beside the corpus's spec.png (greyed by corpus.mjs); the atlas's default
# runs in near-h100.sh. Here first: `npx tsc -p . && ../shared/gpu/pack.sh`; in .corpus-w/re-wickedrock19-2k/ albedo.jpg
# and normal.jpg (redeclipse-data's wicked/wickedrock19.jpg and wickedrock19n.jpg, under /tmp/wgml-corpus after
# corpus.mjs) and the corpus's spec.png; carry [".gpu", "dist", ".corpus-w"] and
# `CORPUS=.corpus-w bash bench/materials/rest-2k-h100.sh`.
DEFAULT_BUDGET=592 source bench/materials/budget.sh
SETS=re-wickedrock19-2k ABLATE="default:" ABLATE_LIMIT=280 BUDGET=$(( $(left) - 215 )) bash bench/materials-h200.sh
SET=re-wickedrock19-2k BUDGET=$(left) bash bench/materials/atlas-psnr-h100.sh
echo "total $(( $(date +%s) - start )) s"
