#!/usr/bin/env bash
# Issue 13, seventeenth session (2026-12-06): the ladder's new top (top-h100.sh measured it on four 20-bit sets) on the two
# 16-bit sets whose textures differ most from those (re-torley-marble: normal + two scalars; re-un-grate), 64000 steps by
# hand, old against new at 16 and 24 bits. One H100/H200 call. Here first: npx tsc -p . && ../shared/gpu/pack.sh;
#   mkdir .corpus-g && cp -r .corpus/re-torley-marble .corpus/re-un-grate .corpus-g/
# and carry [".gpu", "dist", ".corpus-g"] with CORPUS=.corpus-g. Writes $OUT/compress.jsonl and $OUT/log.txt.
source bench/materials/budget.sh
g() { for r in "$@"; do echo -n "$r:--grids,$r "; done; }
SETS="re-torley-marble re-un-grate" ABLATE="$(g s2f16b4 s1f2b4+s2f8b4 s2f12b8 s1f4b4+s2f8b4)" ABLATE_LIMIT=40 BUDGET=$(left) bash bench/materials-h200.sh
