#!/usr/bin/env bash
# Issue 13 on the GPU machine, in one call of at most ~10 minutes. Here first:
#   npx tsc -p . && ../shared/gpu/pack.sh && node bench/materials/corpus.mjs   # .gpu/ (~32 MiB), dist/, .corpus/ (18 MiB)
# then the device tool with carry [".gpu", "dist", ".corpus"] and command `bash bench/materials-h200.sh`.
# In order, each step only while time is left (BUDGET seconds, default 540): the 4K decode of the
# 16-feature decoder shape (cost check), `wgml compress` with defaults on every 512² set, then with
# --psnr 40, the 2048² set(s) with defaults, ablations (old default, no balancing), then the 2048² --psnr 40. Writes $OUT/compress.jsonl (one summary line per run),
# $OUT/decode.txt, $OUT/table.md (bench/materials/table.mjs, with the CPU BC baseline of
# bench/materials/bc-baseline.json beside each set) and $OUT/log.txt.
set -uo pipefail
[ -f .gpu/enter.sh ] && source .gpu/enter.sh >/dev/null
CORPUS=${CORPUS:-.corpus}; EXTRA=${EXTRA:-}   # smoke test here: CORPUS=<32² sets> EXTRA='--steps 50 --finetune 10'
mkdir -p $OUT
exec > >(tee -a $OUT/log.txt) 2>&1
BUDGET=${BUDGET:-540}
start=$(date +%s)
left() { echo $(( BUDGET - ($(date +%s) - start) )); }
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm --format=csv,noheader 2>/dev/null | tee $OUT/gpu.txt
summ='let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const [set,mode]=process.argv.slice(1);const i=s.indexOf("{");if(i<0){console.log(JSON.stringify({set,mode,error:s.slice(-400)}));return;}const r=JSON.parse(s.slice(i));console.log(JSON.stringify({set,mode,chosen:r.search.chosen,reached:r.search.reached,psnr:+r.psnr.toFixed(2),tex:Object.fromEntries(r.textures.map(t=>[t.name,+t.psnr.toFixed(2)])),minPsnr:+Math.min(...r.textures.map(t=>t.psnr)).toFixed(2),bpt:+r.bitsPerTexel.toFixed(3),gpuBpt:+r.gpuBitsPerTexel.toFixed(3),gpuBptPacked:+r.gpuBitsPerTexelPacked.toFixed(3),bcBpt:r.bcBitsPerTexel,fracOfBc:+(r.bitsPerTexel/r.bcBitsPerTexel).toFixed(3),trainSeconds:+r.trainSeconds.toFixed(1),trials:r.search.trials.map(t=>t.rung+(t.steps?"x"+t.steps:"")+":"+t.minPsnr.toFixed(2)+(t.pass===undefined?"":t.pass?"+":"-")+"@"+t.seconds.toFixed(1)+"s"),phases:r.search.trials.map(t=>t.phases&&Object.values(t.phases).map(v=>+v.toFixed(2)).join("/")),...(r.search.leftOut?{timeLimit:r.search.timeLimit,leftOut:r.search.leftOut}:{})}))})'
run() { # set-dir mode limit-seconds [compress args]
  local d=$1 mode=$2 lim=$3; shift 3
  if (( $(left) < 20 )); then echo "skip $(basename $d) $mode: budget spent"; return; fi
  (( lim > $(left) )) && lim=$(left)
  timeout $lim node dist/cli/main.js compress $d -o /tmp/$(basename $d)-$mode.wgmat --json $EXTRA "$@" 2>/dev/null | node -e "$summ" $(basename $d) $mode | tee -a $OUT/compress.jsonl
}
small=$(for d in $CORPUS/*/; do node -e "const p=require('pngjs').PNG.sync.read(require('fs').readFileSync(require('fs').readdirSync('$d').filter(f=>f.endsWith('.png')).map(f=>'$d/'+f)[0]));process.stdout.write(p.width<=512?'$d ':'')" 2>/dev/null; done)
large=$(for d in $CORPUS/*/; do [[ " $small " == *" $d "* ]] || echo -n "$d "; done)
# Ablation mode: ABLATE="name:args,split,by,commas ..." on SETS="set-dir-name ..." (default: every 512² set), each
# variant on each set and nothing else (compress.jsonl only; `base:` is the defaults). A ';' in args is a comma within
# one argument: "during:--refine-during,0.75;0.85;0.95".
# DECODE_VARIANTS="s1f1b2+s2f4b4h64-f32 …" first times those decode-bench variants (4K decode + shade).
if [ -n "${ABLATE:-}" ]; then
  [ -n "${DECODE_VARIANTS:-}" ] && timeout 150 node dist/shaderml/material/decode-bench.js 3840 2160 50 $DECODE_VARIANTS 2>&1 | tee -a $OUT/decode.txt
  for s in ${SETS:-$small}; do
    d=$CORPUS/$(basename $s)
    for v in $ABLATE; do a=${v#*:}; a=${a//,/ }; run $d ${v%%:*} ${ABLATE_LIMIT:-60} ${a//;/,}; done
  done
  echo "total $(( $(date +%s) - start )) s"; exit 0
fi
# Decode + shade at 4K: the historical synthetic shape (16 latents + uv → 32 → 32 → 8, bench.js, with BC
# sampling as a canary), then real materials through loadMaterial + materialWgsl (decode-bench.js): first as
# they ship (loadMaterial's default: 2/4-bit codes expanded to bytes at load, rgba8unorm, the last texture of a
# grid r8/rg8 when it holds 1/2 features): the default of 20-bit sets s1f1b2+s2f4b4+s4f4b2 (and of 16-bit sets, s2f5b4)
# also through the sampler (-uv, what a fragment shader calls), larger rungs, the 2-bit shapes they replaced, one packed variant.
if [ -z "$EXTRA" ] && [ "${DECODE:-1}" = 1 ]; then   # DECODE=0 skips the decode benches
  timeout 60 node dist/shaderml/bench.js 3840 2160 50 f32-leaky i8-dot4-leaky f32-latent bc 2>&1 | grep -v deprecated | tee $OUT/decode.txt
  timeout 150 node dist/shaderml/material/decode-bench.js 3840 2160 50 s1f1b2+s2f4b4+s4f4b2-f32 s1f1b2+s2f4b4+s4f4b2-int8 s1f1b2+s2f4b4+s4f4b2-f32-uv s1f1b2+s2f4b4-f32 s1f1b2+s2f4b4-int8 s2f5b4-f32 s2f5b4-int8 \
    s1f1b2+s2f7b4-f32 s1f1b2+s2f12b4-f32 s1f1b2+s2f8b2-f32 s1f1b2+s2f8b2-int8 s2f12b2-f32 s2f16b4-f32 s2f16b8-f32 s1f1b2+s2f4b4-f32-packed 2>&1 | tee -a $OUT/decode.txt
fi
for d in $small; do run $d default 60; done
for d in $small; do run $d psnr40 90 --psnr 40; done
for d in $large; do run $d default 240; done
# Ablations on the 512² sets while time is left: the single half-resolution grid the mixed rungs replaced
# (s2f12b2, the 6-bit default before; on 16-bpt sets it is a bit over their 5-bit default), the default
# without per-texture weights, and without quantization-aware training.
for d in $small; do run $d single 40 --scale 2 --features 12 --latent-bits 2; done
for d in $small; do run $d nobal 40 --no-balance; done
for d in $small; do run $d noqat 40 --no-qat; done
for d in $large; do run $d psnr40 300 --psnr 40; done
node bench/materials/table.mjs $OUT/compress.jsonl bench/materials/bc-baseline.json > $OUT/table.md
cat $OUT/table.md
echo "total $(( $(date +%s) - start )) s"
