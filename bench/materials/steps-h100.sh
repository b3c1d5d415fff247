#!/usr/bin/env bash
# Issue 13, 2026-12-06 (fifteenth session): the defaults with the fused weight gradient on by default and the chunks'
# errors read while the next chunk runs (trainer.ts), and with twice the steps (--steps as ONE_CONFIG_STEPS = 8 would
# give: 64000 at 512², 256000 at 2048²). One H100/H200 call of BUDGET seconds (default 560). Here first:
#   npx tsc -p . && ../shared/gpu/pack.sh, and .corpus-n as next-h100.sh says plus re-pk-wall and nx-cretewall;
# carry [".gpu", "dist", ".corpus-n"], CORPUS=.corpus-n. Writes $OUT/compress.jsonl (with each trial's phase seconds:
# setup/train/refine/finetune/score) and $OUT/log.txt.
DEFAULT_BUDGET=560 source bench/materials/budget.sh
# 1. re-mp-bricks, 0.37 dB short at 32000: the default as it is (4×), at 8×, and the rung alone at 16×.
SETS="re-mp-bricks" ABLATE="default4x: s64k:--steps,64000 s128k-rung:--steps,128000,--no-twins" ABLATE_LIMIT=80 BUDGET=$(( $(left) - 400 )) bash bench/materials-h200.sh
# 2. The four defaults not yet run at 4× (re-pk-floor timed out in the last call), at 8×.
SETS="re-pk-floor nx-bigplate nx-metalplate nx-simplines" ABLATE="s64k:--steps,64000" ABLATE_LIMIT=60 BUDGET=$(( $(left) - 250 )) bash bench/materials-h200.sh
# 3. The 2048² set at 8×: within 5 minutes?
SETS="re-wickedrock19-2k" ABLATE="s256k:--steps,256000" ABLATE_LIMIT=250 BUDGET=$(( $(left) - 10 )) bash bench/materials-h200.sh
# 4. Two sets that passed, at 8×, while time is left.
SETS="re-pk-wall nx-cretewall" ABLATE="s64k:--steps,64000" ABLATE_LIMIT=60 BUDGET=$(left) bash bench/materials-h200.sh
echo "total $(( $(date +%s) - start )) s"
