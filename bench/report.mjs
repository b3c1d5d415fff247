// Turns the JSON lines bench/h100.sh writes into the markdown table of bench/RESULTS.md.
//   node bench/report.mjs DIR   (DIR holds wgml.jsonl, torch.jsonl, ort.jsonl, gpu.txt)
import { readFileSync, existsSync } from 'node:fs';
const dir = process.argv[2];
const lines = (f) => existsSync(`${dir}/${f}`) ? readFileSync(`${dir}/${f}`, 'utf8').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)) : [];
const name = (p) => p.replace(/^.*\//, '').replace(/\.onnx$/, '');
const wg = new Map(lines('wgml.jsonl').map((r) => [name(r.model), r]));
const pt = new Map(lines('torch.jsonl').map((r) => [r.model, r]));
const ort = new Map(lines('ort.jsonl').map((r) => [name(r.model), r]));
const f = (x, d = 3) => (x === undefined || x === null || Number.isNaN(x) ? '—' : Number(x).toFixed(d));
console.log('| model | wgml GPU ms (median) | encodeNetwork µs | dispatches | heap / peak live | PyTorch fp32 ms | wgml / PyTorch | PyTorch TF32 ms | ORT-web WebGPU ms (median, incl. I/O) |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const [m, r] of wg) {
  const p = pt.get(m) ?? {};
  const o = ort.get(m) ?? {};
  const ratio = r.gpuMs && p.torch_fp32_ms ? (r.gpuMs / p.torch_fp32_ms).toFixed(2) + '×' : '—';
  const heap = `${(r.intermediatesHeapSize / 1048576).toFixed(2)} / ${(r.peakLiveBytes / 1048576).toFixed(2)} MiB`;
  console.log(`| ${m} | ${f(r.gpuMs)} | ${f(r.encodeUs, 1)} | ${r.dispatches} | ${heap} | ${f(p.torch_fp32_ms)} | ${ratio} | ${f(p.torch_tf32_ms)} | ${f(o.medianMs, 1)} |`);
}
