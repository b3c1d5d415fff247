cd /work/main
for s in nx-cp-glow re-un-darktile-height; do for g in s1f3b2+s2f2b4c s1f1b4+s2f4b4 s1f1b2+s2f6b4 s1f2b4+s2f2b4c s1f1b4+s2f6b4; do
  t0=$(date +%s)
  out=$(node dist/cli/main.js compress /tmp/c9/$s -o /tmp/c9out/$s-$g.wgmat --grids $g --steps 2000 --json 2>/dev/null)
  echo "$out" | node -e "let t='';process.stdin.on('data',d=>t+=d).on('end',()=>{const r=JSON.parse(t.slice(t.indexOf('{')));const tex=Object.fromEntries(r.textures.map(x=>[x.name,x.psnr]));console.log(JSON.stringify({set:'$s',grids:'$g',min:Math.min(...r.textures.map(x=>x.psnr)),tex,chosen:r.search?.chosen,seconds:$(date +%s)-$t0}))})" >> /tmp/c9out/compress.jsonl
done; done
echo done >> /tmp/c9out/compress.jsonl
