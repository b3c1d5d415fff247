#!/usr/bin/env bash
# Issue 13, twenty-fifth session (2026-12-07): --psnr now bisects below a failing rung whose twin passed (search.ts
# runSearch). near-replay.mjs replays it from recorded trainings: re-pk-wall ships the 7.5-bit rung again (7.60 bpt) and
# nx-metalplate asks for one trial never run (s4f8b2). This call runs both searches whole on this build.
# Here first: `npx tsc -p . && ../shared/gpu/pack.sh`, then
#   rm -rf .corpus-c2 && mkdir -p .corpus-c2 && for s in nx-metalplate re-pk-wall; do cp -r .corpus/$s .corpus-c2/; done
# carry [".gpu", "dist", ".corpus-c2"] and `CORPUS=.corpus-c2 bash bench/materials/below-twin-h100.sh` (~110 s).
DEFAULT_BUDGET=200 source bench/materials/budget.sh
mkdir -p $OUT
SETS="nx-metalplate re-pk-wall" ABLATE="psnr40:--psnr,40" ABLATE_LIMIT=75 BUDGET=$(left) bash bench/materials-h200.sh
echo "total $(( $(date +%s) - start )) s"
