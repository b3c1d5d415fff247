#!/usr/bin/env bash
# Issue 13, 2026-12-06 (fifteenth session): how hard per-texture balancing should push (--balance-power; 1 until now),
# then the defaults not yet run at 8× the trial's steps. One H100/H200 call of BUDGET seconds (default 540). Here first:
#   npx tsc -p . && ../shared/gpu/pack.sh; .corpus-n with re-mp-bricks nx-cretewall re-pk-floor re-pk-wall
#   npm-pm-normal-rock re-un-grate re-jojo-concrete re-torley-marble re-pk-panels npm-pm-normal-pair re-un-metal (512²);
# carry [".gpu", "dist", ".corpus-n"], CORPUS=.corpus-n. Writes $OUT/compress.jsonl and $OUT/log.txt.
#  1. Powers 2 and 4 on the four sets whose textures' errors spread most at power 1 (their power-1 defaults, from
#     bench/materials-2026-12-06-steps8-h100, in BASE);
#  2. the power with the best mean weakest texture over them (1 if neither beats it) for the seven other defaults.
source bench/materials/budget.sh
BASE=${BASE:-"re-mp-bricks:34.81 nx-cretewall:41.53 re-pk-floor:43.37 re-pk-wall:39.81"}
SETS=$(for b in $BASE; do echo -n "${b%%:*} "; done)
SETS="$SETS" ABLATE="p2:--balance-power,2 p4:--balance-power,4" ABLATE_LIMIT=45 BUDGET=$(( $(left) - 230 )) bash bench/materials-h200.sh
P=$(node -e '
const lines=require("fs").readFileSync(process.argv[1],"utf8").trim().split("\n").map(l=>JSON.parse(l));
const base=Object.fromEntries(process.argv[2].trim().split(/\s+/).map(b=>{const [s,v]=b.split(":");return [s,+v];}));
let best=1,bestMean=Object.values(base).reduce((a,v)=>a+v,0)/Object.keys(base).length;
for (const p of [2,4]) {
  const r=lines.filter(l=>l.mode==="p"+p&&l.minPsnr!==undefined&&l.set in base);
  if (r.length!==Object.keys(base).length) continue;
  const mean=r.reduce((a,l)=>a+l.minPsnr,0)/r.length;
  console.error("power "+p+": mean weakest texture "+mean.toFixed(3)+" dB against "+bestMean.toFixed(3));
  if (mean>bestMean) { best=p; bestMean=mean; }
}
console.log(best);' $OUT/compress.jsonl "$BASE" 2>>$OUT/log.txt)
echo "chosen power: $P" | tee -a $OUT/log.txt
SETS="npm-pm-normal-rock re-un-grate re-jojo-concrete re-torley-marble re-pk-panels npm-pm-normal-pair re-un-metal" \
  ABLATE="p$P:--balance-power,$P" ABLATE_LIMIT=45 BUDGET=$(left) bash bench/materials-h200.sh
echo "total $(( $(date +%s) - start )) s"
