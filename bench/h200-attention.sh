#!/usr/bin/env bash
# The attention work (branch tuneattn) on the GPU machine, one device call (~5 min), after `bash bench/pack.sh`:
#   carry [".gpu", "dist"]; command: bash bench/h200-attention.sh [sweep] [torch] [profile] [models]
# sweep:   bench/attention.ts — per case the configuration attentionConfig() picks vs the best of the
#          sweep (BQ × BK × T × R), each output checked; synthetic BERT-base/ViT-B/16 shapes (plain, padding
#          mask, causal −inf / finfo.min, B8, S512) and the Attention node of bert_encoder, vit_b_16 and
#          vit_tiny exactly as the compiler plans it from this machine's torch export (layout printed).
# torch:   PyTorch SDPA at the synthetic shapes (bench/torch_attention.py).
# profile: `wgml profile --json` of bert_encoder and vit_b_16: per-node GPU times, Attention summarized.
# models:  `wgml bench` of bert_encoder, vit_b_16, vit_tiny (recording auto, and groups for comparison).
# SM clocks are sampled every 200 ms into $OUT/clocks.csv (the 2026-12-02 sweep drifted 4x mid-run).
set -uo pipefail
source .gpu/enter.sh >/dev/null
mkdir -p "$OUT"
what=${*:-sweep torch profile models}
T=/tmp/tmodels; mkdir -p $T
T0=$(date +%s)
left() { echo $(( ${BUDGET:-570} - ($(date +%s) - T0) )); }
nvidia-smi --query-gpu=timestamp,clocks.sm,clocks.mem,power.draw,utilization.gpu --format=csv,noheader -lms 200 > "$OUT/clocks.csv" 2>/dev/null &
SAMPLER=$!
clocks() { # min / median / max SM MHz sampled since line $1 of clocks.csv
  tail -n +"$1" "$OUT/clocks.csv" | awk -F', ' '{print $2+0}' | sort -n | awk '{a[NR]=$1} END {if (NR) printf "SM clock over %d samples: min %d, median %d, max %d MHz\n", NR, a[1], a[int((NR+1)/2)], a[NR]}'
}
{
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm --format=csv,noheader
node dist/cli/main.js info | head -3
echo "=== export ($(left) s left)"
timeout 150 python3 bench/transformer_models.py $T --no-torch bert_encoder vit_b_16 vit_tiny 2>&1 | grep -v Warning | tail -3
for w in $what; do
  echo "=== $w ($(left) s left)"
  from=$(( $(wc -l < "$OUT/clocks.csv") + 1 ))
  case $w in
    sweep)
      timeout $(( $(left) - 150 )) node dist/bench/attention.js --models $T --json "$OUT/attention.jsonl" 2>&1 | grep -v '^Warning' ;;
    torch)
      timeout 60 python3 bench/torch_attention.py 2>&1 | grep -v Warning ;;
    profile)
      for m in bert_encoder vit_b_16; do
        [ "$(left)" -lt 60 ] && { echo "skipped profile $m: out of time"; continue; }
        timeout 60 node dist/cli/main.js profile $T/$m.onnx --warmup 10 --json > "$OUT/prof-$m.json" 2>/dev/null
        node -e '
          const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); const by = {};
          for (const p of d.passes) { const o = p.op ?? "(other)"; (by[o] ??= []).push((p.endNs - p.startNs) / 1000); }
          const rows = Object.entries(by).map(([o, t]) => [o, t.length, t.reduce((a, b) => a + b, 0)]).sort((a, b) => b[2] - a[2]);
          console.log(process.argv[2] + ": " + rows.map(([o, n, us]) => `${o} ${n} x ${(us / n).toFixed(1)} = ${us.toFixed(0)} us`).join(", "));
        ' "$OUT/prof-$m.json" $m
      done ;;
    models)
      for m in bert_encoder vit_b_16 vit_tiny; do
        for rec in auto groups; do
          [ "$(left)" -lt 40 ] && { echo "skipped $m $rec: out of time"; continue; }
          timeout 90 node dist/cli/main.js bench $T/$m.onnx --runs 50 --warmup 10 --recording $rec --json 2>&1 | grep '^{' | tee -a "$OUT/wgml-transformers.jsonl"
        done
      done ;;
  esac
  clocks $from
done
echo "=== done in $(( $(date +%s) - T0 )) s"
} 2>&1 | tee "$OUT/log"
kill $SAMPLER 2>/dev/null
