#!/usr/bin/env bash
# Issue 13, twenty-sixth session (2026-12-07): decode.ts reads a blended grid at material resolution once at a texel
# (its bilinear weights there are 1, 0, 0, 0: the same values to the bit, but the compiler cannot know it), and turns
# packed codes into f32 through their bits under 2^23's exponent instead of an int-to-float conversion. 4K decode + shade
# of the 8–10-bit layouts, the 7-bit one and the 20-bit default, expanded / balanced / packed, f32 and int8, this build
# against the build before it (HEAD before the change, dist without maps and types), on one card. Training reads and
# scatters such a grid's first tap alone too (kernels.ts ownGrid): the same sums to the bit, so a compress must give the
# same PSNR to the hundredth on both builds (re-pk-wall's default), and train-bench times the step's kernels.
# Ran 2026-12-07 (bench/materials-2026-12-07-owntexel-h100/). The bit trick bought nothing and was reverted after it
# (own-texel2-h100.sh times the build without it).
# Here first: `npx tsc -p . && ../shared/gpu/pack.sh`; the build before in .corpus-dist-before (ignored; see the
# session's notes); re-pk-wall alone in .corpus-c2; carry [".gpu", "dist", ".corpus-dist-before", ".corpus-c2"] and
# `bash bench/materials/own-texel-h100.sh` (~330 s).
DEFAULT_BUDGET=500 source bench/materials/budget.sh
mkdir -p $OUT
v() { local c=$1; shift; for r in "$@"; do for s in "" -balanced -packed; do echo -n "$r-f32$s$c $r-int8$s$c "; done; done; }
# Layouts with a full-resolution grid, expanded only: the 16-bit rung, the top, the 12-bit one and the 6-bit layout.
e() { for r in "$@"; do echo -n "$r-f32 $r-int8 "; done; }
# And two rungs whose finest grid is at half resolution (balanced packs it where smaller: s2f5b4c's 20 bits against two
# rgba8 texels).
V="$(v "" s1f3b2+s2f2b4c s1f2b4+s2f2b4c s1f1b4+s2f3b4c s1f1b4+s2f2b4c+s4f4b2 s2f5b4c s2f3b4c+s4f4b2) $(v -c6 s1f3b2+s2f3b4c) $(e s1f2b4+s2f8b4 s1f4b4+s2f8b4 s1f1b2+s2f10b4 s1f1b4+s2f2b4c) s2f5b4-f32 s2f5b4-int8"
T8="s1f1b4+s2f2b4c+s4f4b2:65536 s1f3b2+s2f2b4c:65536 s1f2b4+s2f8b4:65536"
for build in .corpus-dist-before dist; do
  echo "== $build" | tee -a $OUT/compress.txt $OUT/train.txt
  timeout 60 node $build/cli/main.js compress .corpus-c2/re-pk-wall -o /tmp/w.wgmat --json 2>/dev/null > $OUT/compress-${build#.}.json
  node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));console.log(JSON.stringify({chosen:r.search.chosen,tex:r.textures.map(t=>t.psnr.toFixed(2)),train:r.trainSeconds.toFixed(1),trials:r.search.trials.map(t=>t.rung+":"+t.minPsnr.toFixed(2)+"@"+t.seconds.toFixed(1))}))' $OUT/compress-${build#.}.json | tee -a $OUT/compress.txt
  timeout 60 node $build/shaderml/material/train-bench.js 512 512 6 50 $T8 2>&1 | grep -v Warning | tee -a $OUT/train.txt
done
# Round 2 in the other order, where time is left (drift on the card shows as a difference between the rounds).
for round in 1 2; do
  for build in $([ $round = 1 ] && echo .corpus-dist-before dist || echo dist .corpus-dist-before); do
    echo "== round $round, $build" | tee -a $OUT/decode.txt
    timeout 150 node $build/shaderml/material/decode-bench.js 3840 2160 50 $V 2>&1 | grep -v Warning | tee -a $OUT/decode.txt
    [ $(left) -lt 150 ] && break 2
  done
done
echo "total $(( $(date +%s) - start )) s"
