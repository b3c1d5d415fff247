#!/usr/bin/env bash
# Issue 13, twenty-seventh session (2026-12-07). Two things in one call:
# 1. half-bit-layouts-h100.sh's decode timings (queued since the twenty-sixth session): the layouts the ladder left out
#    for their decode time, timed with a full-resolution grid read at the texel alone.
# 2. Code refinement (refine.ts) now evaluates a full-resolution grid's latent at its own texel alone (kernels.ts ownGrid:
#    the three other texels whose taps name it weigh it by 0) and texel_err reads such a grid's one tap. Same decisions
#    to the bit (the footprint's error sum e0 is kept), so a compress must give the same PSNRs on both builds; what
#    changes is training time. re-pk-wall's default, this build and the one before (dist without maps and types in
#    .corpus-dist-before), in the order before, now, now, before.
# Here first: `npx tsc -p . && ../shared/gpu/pack.sh`; re-pk-wall alone in .corpus-c2; carry
# [".gpu", "dist", ".corpus-dist-before", ".corpus-c2"] and `bash bench/materials/refine-own-h100.sh` (~200 s).
DEFAULT_BUDGET=330 source bench/materials/budget.sh
mkdir -p $OUT
for build in .corpus-dist-before dist dist .corpus-dist-before; do
  echo "== $build" | tee -a $OUT/compress.txt
  timeout 60 node $build/cli/main.js compress .corpus-c2/re-pk-wall -o /tmp/w.wgmat --json 2>/dev/null > /tmp/c.json
  node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));console.log(JSON.stringify({chosen:r.search.chosen,tex:r.textures.map(t=>t.psnr.toFixed(3)),train:r.trainSeconds.toFixed(2),trials:r.search.trials.map(t=>t.rung+":"+t.minPsnr.toFixed(3)+"@"+t.seconds.toFixed(2))}))' /tmp/c.json | tee -a $OUT/compress.txt
done
e() { local c=$1; shift; for r in "$@"; do echo -n "$r-f32$c $r-int8$c "; done; }
timeout $(( $(left) - 5 )) node dist/shaderml/material/decode-bench.js 3840 2160 50 s1f1b4+s2f2b4c+s4f4b2-f32 s1f1b4+s2f2b4c+s4f4b2-int8 \
  $(e -c6 s1f3b2+s2f2b4c+s4f4b2 s1f3b2+s2f3b4c+s4f4b2 s1f2b4+s2f2b4c+s4f4b2) $(e "" s1f3b2+s2f2b4c+s4f4b2 s1f3b2+s2f3b4c+s4f4b2 s1f2b4+s2f2b4c+s4f4b2 s1f3b2+s2f3b4c s1f4b4+s2f8b4) \
  $(e -c12 s1f4b4+s2f8b4) $(e -c16 s1f4b4+s2f8b4) 2>&1 | grep -v Warning | tee $OUT/decode.txt
echo "total $(( $(date +%s) - start )) s"
