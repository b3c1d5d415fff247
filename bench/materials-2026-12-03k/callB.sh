source .gpu/enter.sh >/dev/null 2>&1
V5="A65:--grids,s1f1b4+s2f2b4+s4f4b2 A75:--grids,s1f1b4+s2f3b4+s4f4b2 B75:--grids,s1f1b2+s2f5b4+s4f4b2 A85:--grids,s1f1b4+s2f4b4+s4f4b2 B85:--grids,s1f1b2+s2f6b4+s4f4b2"
V6="B65:--grids,s1f1b2+s2f4b4+s4f4b2 $V5"
lane() { mkdir -p $OUT/$1; OUT=$OUT/$1 SETS="$2" ABLATE="$3" ABLATE_LIMIT=40 BUDGET=400 bash bench/materials-h200.sh > /dev/null 2>&1; }
lane l1 "re-jojo-concrete re-pk-panels re-pk-wall nx-cretewall re-pk-floor" "$V5" &
lane l2 "re-un-metal re-mp-bricks nx-bigplate nx-metalplate nx-simplines" "$V5" &
lane l3 "re-torley-marble re-un-grate npm-pm-normal-pair npm-pm-normal-rock" "$V6" &
wait
cat $OUT/l*/compress.jsonl | cut -c1-330
timeout 100 node dist/shaderml/material/decode-bench.js 3840 2160 50 s1f1b2+s2f4b4+s4f4b2-f32-p2 s1f1b4+s2f2b4+s4f4b2-f32-p2 s1f1b2+s2f4b4+s4f4b2-int8-p2 s1f1b4+s2f2b4+s4f4b2-int8-p2 s1f1b4+s2f5b4+s4f4b2-f32-p2 s1f1b4+s2f5b4+s4f4b2-int8-p2 2>&1 | tee $OUT/decode.txt
