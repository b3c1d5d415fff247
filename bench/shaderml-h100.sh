#!/usr/bin/env bash
# Shader-ML measurements on the GPU machine (device tool), after `bash bench/pack.sh` and
# `node examples/materials/nexuiz/extract.mjs <textures.pk3> .mats` here:
#   carry [".gpu", "dist", ".mats"]; command: bash bench/shaderml-h100.sh [decode] [compress] [render]
# decode: the 4K decode benchmark (dist/shaderml/bench.js); compress: `wgml compress` on every
# .mats/<set> with the configs in CONFIGS (one JSON summary line each); render: render-material.
set -uo pipefail
source .gpu/enter.sh >/dev/null
mkdir -p $OUT
what="${*:-decode compress render}"
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm --format=csv,noheader | tee $OUT/gpu.txt
summ='let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const i=s.indexOf("{");if(i<0){console.log(JSON.stringify({error:s.slice(-300)}));return;}const r=JSON.parse(s.slice(i));console.log(JSON.stringify({set:process.argv[1],cfg:process.argv[2],psnr:+r.psnr.toFixed(2),tex:r.textures.map(t=>t.name+":"+t.psnr.toFixed(2)).join(" "),bpt:+r.bitsPerTexel.toFixed(2),bcRatio:+r.bcRatio.toFixed(2),trainSeconds:+r.trainSeconds.toFixed(1)}))})'
if [[ $what == *decode* ]]; then
  # Short processes, each ending with BC sampling as a canary: in one long process (≥ 10 variants)
  # later variants ran up to 2× slower on the H100 (BC sampling too), fresh processes did not.
  for vs in "f32-lit128 f32-latent f32-leaky bc" "i8-dot4-lit128 i8-dot4-lat i8-dot4-leaky bc" \
            "fast-b1-init-n8-g16 fast-b1-init-hfour-dfour-g16 fast-b1-init-hfour-dfour-lat-g16 bc"; do
    timeout 120 node dist/shaderml/bench.js 3840 2160 50 $vs 2>&1 | grep -v deprecated | tee -a $OUT/decode.txt
  done
fi
if [[ $what == *compress* ]]; then
  CONFIGS=${CONFIGS:-"default|"}
  IFS=';' read -ra cfgs <<< "$CONFIGS"
  for c in "${cfgs[@]}"; do
    name=${c%%|*}; args=${c#*|}
    for set in ${SETS:-.mats/*/}; do
      s=$(basename $set)
      timeout ${TLIM:-100} node dist/cli/main.js compress $set -o /tmp/$s-$name.wgmat --json $args 2>&1 | node -e "$summ" $s $name | tee -a $OUT/compress.jsonl
    done
  done
fi
if [[ $what == *render* ]]; then
  s=$(ls -d .mats/*/ | head -1); m=$(ls /tmp/$(basename $s)-*.wgmat 2>/dev/null | head -1)
  [ -n "$m" ] && node dist/cli/main.js render-material $m --out $OUT/render.png --originals $s --size 512 2>&1 | tail -4 | tee $OUT/render.txt
  rm -f $OUT/render-compute.png $OUT/render-reference-compute.png
fi
