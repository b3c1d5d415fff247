#!/usr/bin/env bash
# Code refinement measured with wgml's own trainer where there is no GPU: lavapipe, 64×64 crops (at texel 128, 128)
# of the corpus's 512² sets, each set's rung by --grids with and without refinement (--refine 0), 2000 + 400 steps.
# About 65 s a run on this 2-core machine; two lanes in parallel take ~12 minutes for ten sets.
# Usage: node bench/materials/corpus.mjs first (the .corpus/ sets), then
#   bash bench/materials/refine-lavapipe.sh OUTDIR [set …]      (default: the ten sets of bench/materials-2026-12-05-refine-lavapipe)
# MODES (default "refine norefine"): refine = the defaults (refinement during and after training), norefine = --refine 0,
# after = refinement after training only (--refine-during none; what 'refine' was on 2026-12-05 before it moved inside),
# during=F,F,… = --refine-during F,F,….
# CROP (64), OFFSET (128), STEPS (2000), FINETUNE (STEPS/5) and BATCH (65536) change the crops and the training.
# GRIDS="s2f8b2 s2f4b4c" trains those rungs on every set instead of the set's default rung (rungs compared at equal bits).
set -uo pipefail
out=${1:?output folder}; shift
sets=${*:-npm-pm-normal-rock re-mp-bricks re-pk-wall nx-cretewall re-jojo-concrete re-pk-panels re-torley-marble re-un-grate re-pk-floor npm-pm-normal-pair}
mkdir -p $out/crops
for set in $sets; do
  node -e '
    const { PNG } = require("pngjs"), fs = require("fs"), [src, dst, S, O] = process.argv.slice(1).map((v, i) => (i > 1 ? +v : v));
    fs.mkdirSync(dst, { recursive: true });
    for (const f of fs.readdirSync(src).filter((f) => f.endsWith(".png"))) {
      const p = PNG.sync.read(fs.readFileSync(`${src}/${f}`)), o = new PNG({ width: S, height: S });
      for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) for (let c = 0; c < 4; c++) o.data[(y * S + x) * 4 + c] = p.data[((y + O) * p.width + x + O) * 4 + c];
      fs.writeFileSync(`${dst}/${f}`, PNG.sync.write(o));
    }' ${CORPUS:-.corpus}/$set $out/crops/$set ${CROP:-64} ${OFFSET:-128}
done
summ='let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const [set,mode,grids]=process.argv.slice(1);const i=s.indexOf("{");if(i<0){console.log(JSON.stringify({set,mode,error:s.slice(-300)}));return;}const r=JSON.parse(s.slice(i));console.log(JSON.stringify({set,mode,grids,min:+Math.min(...r.textures.map(t=>t.psnr)).toFixed(2),tex:Object.fromEntries(r.textures.map(t=>[t.name,+t.psnr.toFixed(2)])),refine:r.search.trials[0].refine,s:+r.trainSeconds.toFixed(1)}))})'
run() { local set=$1 grids=$2 mode=$3; shift 3
  node dist/cli/main.js compress $out/crops/$set -o $out/$set-$mode.wgmat --grids $grids --steps ${STEPS:-2000} --finetune ${FINETUNE:-$(( ${STEPS:-2000} / 5 ))} --batch ${BATCH:-65536} --json "$@" 2>&1 | node -e "$summ" $set $mode $grids
}
for set in $sets; do
  # The rung each set's default takes at 512² (a third of its BC footprint); the lone normal map's 2.5-bit rung.
  case $set in npm-pm-normal-rock) g=s2f2b4c+s4f4b2;; npm-pm-normal-pair|re-torley-marble|re-un-grate) g=s2f5b4;; *) g=s1f1b4+s2f2b4c+s4f4b2;; esac
  for g in ${GRIDS:-$g}; do
  for mode in ${MODES:-refine norefine}; do
    case $mode in refine) extra=();; norefine) extra=(--refine 0);; after) extra=(--refine-during none);; during=*) extra=(--refine-during ${mode#during=});; *) echo "unknown mode $mode" >&2; exit 2;; esac
    run $set $g $mode "${extra[@]}" | tee -a $out/pairs.jsonl
  done
  done
done
