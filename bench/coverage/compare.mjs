import * as wgml from '../../dist/index.js';
import ort from 'onnxruntime-node';
const [path] = process.argv.slice(2);
import { readFileSync } from 'node:fs';
// Free height/width take the size in the file name (NAME_SIZE[_dyn]_opN.onnx) or the third argument.
const named = path.match(/_(\d+)(?:_dyn)?(?:_op\d+)?\.onnx$/);
const size = +(process.argv[4] ?? (named ? named[1] : 64));
const batch = +(process.argv[3] ?? 1);
const g0 = await wgml.loadOnnx(readFileSync(path));
const gr = g0.graph ?? g0;
const shape = gr.inputs[0].shape.map((d, i) => (typeof d === 'number' && d >= 0 ? d : i === 0 ? batch : size));
let s = 1234; const r = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
const n = shape.reduce((a, b) => a * b, 1), data = new Float32Array(n);
for (let i = 0; i < n; i++) { const u = Math.max(r(), 1e-12), v = r(); data[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v); }
const x = { dtype: 'float32', shape, data };
const device = await wgml.requestDevice({ quiet: true });
let t = performance.now();
let got;
// WEIGHTS=f16 stores the weights at half width (createPipeline's weights option).
try { got = await wgml.runModel(device, path, { input: x }, process.env.WEIGHTS ? { weights: process.env.WEIGHTS } : {}); }
catch (e) { console.log(`RESULT ${path} ERROR ${(e.message || e).toString().slice(0, 600)} (${((performance.now() - t) / 1000).toFixed(1)}s)`); process.exit(0); }
const tw = (performance.now() - t) / 1000;
t = performance.now();
const sess = await ort.InferenceSession.create(path, { executionProviders: ['cpu'], graphOptimizationLevel: 'disabled' });
const out = await sess.run({ input: new ort.Tensor('float32', data, x.shape) });
const ref = out.output;
let num = 0, den = 0; const a = got.output.data, b = ref.data;
for (let i = 0; i < b.length; i++) { num = Math.max(num, Math.abs(a[i] - b[i])); den = Math.max(den, Math.abs(b[i])); }
console.log(`RESULT ${path} shape ${got.output.shape} vs ${ref.dims} relerr ${(num / (den || 1)).toExponential(2)} max|ref| ${den.toExponential(2)} wgml ${tw.toFixed(1)}s ort ${((performance.now() - t) / 1000).toFixed(1)}s`);
process.exit(0);
