// wgml against the onnxruntime outputs stored in CASE.json (expect_families.mjs):
// `node bench/coverage/compare_families.mjs [DIR] [CASE ...] [--no-f16]` prints, per case and output,
// max|wgml - ort| / max|ort|. --no-f16 asks for a device without shader-f16.
import * as wgml from '../../dist/index.js';
import { readFileSync, readdirSync } from 'node:fs';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const dir = args[0] ?? 'test/fixtures/coverage-2';
const only = args.slice(1);
const device = await wgml.requestDevice({ quiet: true, disableFeatures: process.argv.includes('--no-f16') ? ['shader-f16'] : [] });
console.log(`device: shader-f16 ${device.features.has('shader-f16')}`);

function hostInputs(c) {
  return Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, {
    dtype: v.dtype, shape: v.shape, data: v.dtype.startsWith('float') ? Float32Array.from(v.data) : Int32Array.from(v.data),
  }]));
}

for (const f of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
  const name = f.slice(0, -5);
  if (only.length && !only.some((o) => name.includes(o))) continue;
  const c = JSON.parse(readFileSync(`${dir}/${f}`, 'utf8'));
  if (!c.outputs) { console.log(`RESULT ${name} no onnxruntime reference (expect_families.mjs said why)`); continue; }
  const t = performance.now();
  let got;
  try { got = await wgml.runModel(device, `${dir}/${c.model}`, hostInputs(c)); }
  catch (e) { console.log(`RESULT ${name} ERROR ${e.name}: ${String(e.message).slice(0, 1500)}`); continue; }
  const s = ((performance.now() - t) / 1000).toFixed(1);
  const parts = [];
  let worst = 0;
  for (const [k, out] of Object.entries(c.outputs)) {
    const a = got[k], ref = { shape: out.shape, data: out.data.map(Number) };
    if (!a) { parts.push(`${k} MISSING`); worst = Infinity; continue; }
    if (a.shape.join() !== ref.shape.join()) { parts.push(`${k} shape [${a.shape}] vs [${ref.shape}]`); worst = Infinity; continue; }
    let num = 0, den = 0, nan = 0, far = 0;
    const rtol = c.tol?.rel ?? 1e-3, atol = c.tol?.abs ?? 1e-4;
    for (let i = 0; i < ref.data.length; i++) {
      if (Number.isNaN(a.data[i]) !== Number.isNaN(ref.data[i])) nan++;
      if (Math.abs(a.data[i] - ref.data[i]) > atol + rtol * Math.abs(ref.data[i])) far++;
      num = Math.max(num, Math.abs(a.data[i] - ref.data[i]) || 0); den = Math.max(den, Math.abs(ref.data[i]));
    }
    const e = nan ? Infinity : num / (den || 1);
    worst = Math.max(worst, e);
    parts.push(`${k} ${e.toExponential(2)}${nan ? ` (${nan} NaN mismatches)` : ''}${far ? ` (${far}/${ref.data.length} outside rtol ${rtol} atol ${atol})` : ''}`);
  }
  console.log(`RESULT ${name} relerr ${worst.toExponential(2)} ${s}s | ${parts.join(', ')}`);
}
process.exit(0);
