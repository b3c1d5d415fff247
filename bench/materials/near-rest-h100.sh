#!/usr/bin/env bash
# Issue 13, written in the twenty-second session (2026-12-06) for the next device call: the --psnr 40 searches that
# bench/materials/near-replay.mjs cannot replay at the near-miss margin of 1.25 dB (search.ts NEAR_MISS_DB), run whole:
# re-pk-floor and re-un-darktile-height (~45 s each), then the atlas (~170 s) when its folder is there. The tree, .gpu and
# dist leave ~7 MiB of the 64 that travel: the two 512² sets (2.2 MiB) fit, the atlas (7.5 MiB) goes alone
# (CORPUS holding only re-un-atlas-2k). Here first: `npx tsc -p . && ../shared/gpu/pack.sh`, then
#   mkdir .corpus-nr && cp -r .corpus/re-pk-floor .corpus/re-un-darktile-height .corpus-nr/
# carry [".gpu", "dist", ".corpus-nr"] and `CORPUS=.corpus-nr bash bench/materials/near-rest-h100.sh`.
# Writes $OUT/compress.jsonl; the rows replace theirs in bench/materials-2026-12-06-table/.
# Ran in the twenty-third session: re-pk-floor and re-un-darktile-height in -h200table-h100 (h200-table.sh), the atlas in -nearrest-h100.
DEFAULT_BUDGET=300 source bench/materials/budget.sh
sets=$(for s in re-pk-floor re-un-darktile-height re-un-atlas-2k; do [ -d "${CORPUS:-.corpus}/$s" ] && echo -n "$s "; done)
SETS="$sets" ABLATE="psnr40:--psnr,40" ABLATE_LIMIT=290 BUDGET=$(left) bash bench/materials-h200.sh
echo "total $(( $(date +%s) - start )) s"
