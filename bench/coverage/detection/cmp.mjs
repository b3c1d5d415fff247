import * as wgml from '../../../dist/index.js';
import { createRequire } from 'node:module'; const ort = createRequire(new URL('../../../package.json', import.meta.url))('onnxruntime-node');
import { readFileSync } from 'node:fs';
const [path, man] = process.argv.slice(2);
const feeds = {}, ofeeds = {};
if (man.endsWith('.json')) {
  for (const [n, shape] of Object.entries(JSON.parse(readFileSync(man, 'utf8')))) {
    const data = ((b) => new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length)))(readFileSync(man.replace(/\.json$/, `.${n}.bin`)));
    feeds[n] = { dtype: 'float32', shape, data }; ofeeds[n] = new ort.Tensor('float32', data, shape);
  }
} else {
  const gr = (await wgml.loadOnnx(readFileSync(path))); const shape = (gr.graph ?? gr).inputs[0].shape;
  const data = ((b) => new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length)))(readFileSync(man));
  feeds.input = { dtype: 'float32', shape, data }; ofeeds.input = new ort.Tensor('float32', data, shape);
}
const device = await wgml.requestDevice({ quiet: true });
let t = performance.now(), got;
const sess = await ort.InferenceSession.create(path, { executionProviders: ['cpu'], graphOptimizationLevel: 'disabled' });
const ref = await sess.run(ofeeds);
console.log(`ort ${((performance.now() - t) / 1000).toFixed(1)}s`, Object.entries(ref).map(([k, v]) => `${k}[${v.dims}]`).join(' '));
t = performance.now();
try { got = await wgml.runModel(device, path, feeds); }
catch (e) { console.log(`RESULT ${path} ERROR ${(e.stack || e).toString().slice(0, 3000)} (${((performance.now() - t) / 1000).toFixed(1)}s)`); process.exit(0); }
console.log(`wgml ${((performance.now() - t) / 1000).toFixed(1)}s`);
for (const k of Object.keys(ref)) {
  const a = got[k].data, b = ref[k].data;
  if (process.env.DUMP) { const { writeFileSync } = await import('node:fs'); writeFileSync(`${process.env.DUMP}.${k}.wgml.bin`, Buffer.from(new Float32Array(Array.from(a, Number)).buffer)); writeFileSync(`${process.env.DUMP}.${k}.ort.bin`, Buffer.from(new Float32Array(Array.from(b, Number)).buffer)); } let num = 0, den = 0, bad = 0;
  for (let i = 0; i < b.length; i++) { const d = Math.abs(Number(a[i]) - Number(b[i])); num = Math.max(num, d); den = Math.max(den, Math.abs(Number(b[i]))); if (d > 1e-4 + 1e-3 * Math.abs(Number(b[i]))) bad++; }
  console.log(`RESULT ${k} shape ${got[k].shape} vs ${ref[k].dims} relerr ${(num / (den || 1)).toExponential(2)} max|ref| ${den.toExponential(2)} bad ${bad}`);
}
process.exit(0);
