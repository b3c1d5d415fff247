source .gpu/enter.sh >/dev/null 2>&1
mkdir -p $OUT
timeout 120 node dist/shaderml/material/decode-bench.js 3840 2160 50 s1f1b2+s2f8b2-f32 s2f12b2-f32 s1f1b2+s2f8b2-int8 s2f12b2-int8 s1f1b2+s2f8b2-f32-uv s2f12b2-f32-uv s1f1b2+s2f6b2-f32 s2f10b2-f32 s1f1b2+s2f12b2-f32 s1f1b2+s2f10b4-f32 s1f1b2+s2f8b2-f32-packed s2f12b2-f32-packed s1f1b2+s2f8b2-f32 2>&1 | grep -v -i warn | tee $OUT/decode.txt
SETS="re-torley-marble re-un-grate npm-pm-normal-pair" ABLATE="single5:--scale,2,--features,10,--latent-bits,2" BUDGET=45 bash bench/materials-h200.sh > /dev/null
ABLATE="base: st8k:--steps,8000 lrl:--lr-latent,0.1 both:--steps,8000,--lr-latent,0.1" BUDGET=$(( 570 - SECONDS )) bash bench/materials-h200.sh | tail -3
echo "total $SECONDS s"
