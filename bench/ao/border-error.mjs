// Where the AO network's error is, on a dataset's held-out split: squared error against the ray-cast target
// binned by distance to the image border and by depth, beside GTAO's (input channel 4) on the same pixels.
// Screen-space AO cannot see occluders off screen, so error that grows toward the border says a guard band
// would pay; error spread evenly says the network itself is the limit.
//   node bench/ao/border-error.mjs DATA_DIR [model.onnx]
// DATA_DIR from `node dist/demo/dataset.js --channels 5` (test_x.npy: N×5×S×S float16; test_y.npy: N×1×S×S).
// Also by the view's field of view (recomputed from the held-out seeds, dist/ built): the network is not told
// the focal length, which varies ±20% between training views, so error that grows away from the mean says
// that ambiguity costs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { sampleViews } from '../../dist/demo/dataset.js';
import { readNpy } from '../../dist/ir/npy.js';

const [dir, model = 'models/ao/ao.onnx'] = process.argv.slice(2);
if (!dir) { console.error('usage: node bench/ao/border-error.mjs DATA_DIR [model.onnx]'); process.exit(2); }
const load = (f) => { const t = readNpy(readFileSync(join(dir, f)), join(dir, f)); return { shape: t.shape, v: Float32Array.from(t.data) }; };
const x = load('test_x.npy'), y = load('test_y.npy');
const [N, C, S] = x.shape;
if (C !== 5) throw new Error(`${dir}: ${C} input channels; the 5-channel model needs data made with --channels 5`);
const sess = await ort.InferenceSession.create(model);
const edges = [0, 8, 16, 32, 64, Infinity], bins = edges.slice(1).map(() => ({ n: 0, net: 0, gtao: 0 }));
const dbins = [0, 0.25, 0.5, 0.75, 1.01].slice(1).map(() => ({ n: 0, net: 0, gtao: 0 }));
const P = S * S;
const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
const fovOf = (i) => (sampleViews(meta.testSeedBase + Math.floor(i / meta.views), meta.views, meta.scenes)[i % meta.views].camera.fovY * 180) / Math.PI;
const views = [];
for (let i = 0; i < N; i++) {
  const xi = x.v.subarray(i * C * P, (i + 1) * C * P);
  const out = (await sess.run({ [sess.inputNames[0]]: new ort.Tensor('float32', Float32Array.from(xi), [1, C, S, S]) }))[sess.outputNames[0]].data;
  // Depth rank within the view's surface pixels (depth is channel 3; absolute scales differ between scenes).
  const surf = [];
  for (let p = 0; p < P; p++) if (xi[p] ** 2 + xi[P + p] ** 2 + xi[2 * P + p] ** 2 > 0.25) surf.push(p);
  const byDepth = surf.slice().sort((a, b) => xi[3 * P + a] - xi[3 * P + b]), rank = new Map(byDepth.map((p, k) => [p, k / byDepth.length]));
  const v = { fov: fovOf(i), n: 0, net: 0, gtao: 0 };
  views.push(v);
  for (const p of surf) {
    const r = Math.floor(p / S), c = p % S, d = Math.min(r, c, S - 1 - r, S - 1 - c);
    const t = y.v[i * P + p], en = (out[p] - t) ** 2, eg = (xi[4 * P + p] - t) ** 2;
    const b = bins[edges.findIndex((e, k) => d >= e && d < edges[k + 1])];
    b.n++; b.net += en; b.gtao += eg;
    const q = dbins[Math.min(3, Math.floor(rank.get(p) * 4))];
    q.n++; q.net += en; q.gtao += eg;
    v.n++; v.net += en; v.gtao += eg;
  }
}
const total = bins.reduce((a, b) => a + b.net, 0), count = bins.reduce((a, b) => a + b.n, 0);
const psnr = (se, n) => (-10 * Math.log10(se / n)).toFixed(2);
console.log(`${dir}: ${N} held-out views of ${S}×${S}, ${model}; surface pixels only. Net PSNR overall ${psnr(total, count)} dB, GTAO ${psnr(bins.reduce((a, b) => a + b.gtao, 0), count)} dB`);
console.log('distance to border (px) | pixels | net dB | GTAO dB | share of net squared error');
bins.forEach((b, k) => console.log(`${edges[k]}–${edges[k + 1]} | ${(b.n / count * 100).toFixed(1)}% | ${psnr(b.net, b.n)} | ${psnr(b.gtao, b.n)} | ${(b.net / total * 100).toFixed(1)}%`));
console.log('depth quartile (near → far) | pixels | net dB | GTAO dB | share of net squared error');
dbins.forEach((b, k) => console.log(`${k + 1} | ${(b.n / count * 100).toFixed(1)}% | ${psnr(b.net, b.n)} | ${psnr(b.gtao, b.n)} | ${(b.net / total * 100).toFixed(1)}%`));
const mid = (meta.fovDeg[0] + meta.fovDeg[1]) / 2, third = (meta.fovDeg[1] - meta.fovDeg[0]) / 6;
console.log(`field of view (training range ${meta.fovDeg.join('–')}°, the model's focal length at ${mid}°) | views | net dB | GTAO dB`);
for (const [name, sel] of [[`within ±${third.toFixed(1)}° of ${mid}°`, (f) => Math.abs(f - mid) <= third], ['narrower', (f) => f < mid - third], ['wider', (f) => f > mid + third]]) {
  const g = views.filter((v) => sel(v.fov)), n = g.reduce((a, v) => a + v.n, 0);
  console.log(`${name} | ${g.length} | ${n ? psnr(g.reduce((a, v) => a + v.net, 0), n) : '–'} | ${n ? psnr(g.reduce((a, v) => a + v.gtao, 0), n) : '–'}`);
}
