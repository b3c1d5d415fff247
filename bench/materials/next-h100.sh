#!/usr/bin/env bash
# Issue 13's open measurements, written 2026-12-06 without device time left, for one H100/H200 call (BUDGET seconds,
# default 560). Here first: `npx tsc -p . && ../shared/gpu/pack.sh`, then a corpus of the sets below:
#   mkdir .corpus-n && for s in npm-pm-normal-pair re-un-metal re-pk-floor nx-bigplate nx-metalplate nx-simplines re-mp-bricks; do
#     cp -r .corpus/$s .corpus-n/; done && cp -r .corpus-2k/re-wickedrock19-2k .corpus-n/      # ~7 MiB; JPEGs for the 2048² set
# and carry [".gpu", "dist", ".corpus-n"] with CORPUS=.corpus-n. In order, while time is left:
#  1. train-bench (each kernel of a step alone): the tiled forward/backward with and without the fused weight gradient
#     (trainer.ts fusedGrad, off by default until this says), 512² and 2048², 6 outputs: make it the default if a fused
#     step is faster;
#  2. one default on re-mp-bricks with its JSON's per-phase seconds (setup, train, refine, finetune, score): ~18 s a
#     configuration on 2026-12-06 against ~8 s of step kernels;
#  3. the defaults at four times a trial's steps on the six sets not rerun on 2026-12-06 (each ≥ 4 dB over 35 before);
#  4. `--psnr 40` on re-mp-bricks (no result yet) and on the 2048² set (≤ 5 min is the target).
# Writes $OUT/train-bench.txt, $OUT/compress.jsonl (materials-h200.sh's summary lines), $OUT/bricks.json, $OUT/log.txt.
DEFAULT_BUDGET=560 source bench/materials/budget.sh
mkdir -p $OUT
R=s1f1b4+s2f2b4c+s4f4b2
timeout 60 node dist/shaderml/material/train-bench.js 512 512 6 20 $R:65536 s2f5b4c:65536 2>&1 | grep -v Warning | tee $OUT/train-bench.txt
timeout 40 node dist/shaderml/material/train-bench.js 2048 2048 6 10 $R:65536 2>&1 | grep -v Warning | tee -a $OUT/train-bench.txt
timeout 60 node dist/cli/main.js compress ${CORPUS:?}/re-mp-bricks -o /tmp/bricks.wgmat --json 2>/dev/null > $OUT/bricks.json
node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));for(const t of r.search.trials)console.log(t.rung,t.minPsnr.toFixed(2),t.seconds.toFixed(1),JSON.stringify(t.phases))' $OUT/bricks.json | tee -a $OUT/log.txt
SETS="npm-pm-normal-pair re-un-metal re-pk-floor nx-bigplate nx-metalplate nx-simplines" ABLATE="default:" ABLATE_LIMIT=60 \
  BUDGET=$(( $(left) - 400 )) bash bench/materials-h200.sh
SETS="re-mp-bricks" ABLATE="psnr40:--psnr,40" ABLATE_LIMIT=90 BUDGET=$(( $(left) - 300 )) bash bench/materials-h200.sh
SETS="re-wickedrock19-2k" ABLATE="psnr40:--psnr,40" ABLATE_LIMIT=300 BUDGET=$(left) bash bench/materials-h200.sh
echo "total $(( $(date +%s) - start )) s"
