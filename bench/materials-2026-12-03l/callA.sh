source .gpu/enter.sh >/dev/null 2>&1
SETS="re-jojo-concrete re-pk-floor nx-bigplate nx-metalplate nx-simplines" ABLATE="psnr40:--psnr,40" ABLATE_LIMIT=90 BUDGET=330 bash bench/materials-h200.sh
cp $OUT/compress.jsonl $OUT/compress-psnr40.jsonl
SETS="re-jojo-concrete" ABLATE="default:" ABLATE_LIMIT=60 BUDGET=80 bash bench/materials-h200.sh
node bench/materials/table.mjs $OUT/compress.jsonl bench/materials/bc-baseline.json > $OUT/table.md
