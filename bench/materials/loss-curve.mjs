#!/usr/bin/env node
// Issue 13: the training loss of one rung on one material over its steps, for runs that end worse the longer they train
// (re-jojo-concrete at 4.5 bits: 40.25 dB after 8000 steps, 37.13 after 64000). `wgml compress` prints a progress line
// every few seconds; this keeps every chunk's batch loss (every 50 steps) then scores the
// result as the CLI does (decoded on the GPU). One JSON line per run on stdout.
//   node bench/materials/loss-curve.mjs DIR RUNG STEPS [key=value …]   (keys: batch, seed, lrMlp, lrLatent, steFrom,
//   steLatentLr, refineDuring (one fraction), balance=0, every=N)
// e.g. node bench/materials/loss-curve.mjs .corpus/re-jojo-concrete s1f1b2+s2f2b4c+s4f4b2 64000 batch=65535
import { requestDevice } from '../../dist/gpu/device.js';
import { loadMaterialFolder } from '../../dist/shaderml/material/textures.js';
import { compressMaterial } from '../../dist/shaderml/material/train.js';
import { decodeMaterialGpu, encodeWgmat, loadMaterial } from '../../dist/shaderml/material/wgmat.js';
import { decoderBytes, materialReport } from '../../dist/shaderml/material/report.js';
import { parseRung } from '../../dist/shaderml/material/search.js';

const [dir, rungName, stepsArg, ...kv] = process.argv.slice(2);
if (!dir || !rungName || !stepsArg) { console.error('usage: loss-curve.mjs DIR RUNG STEPS [key=value …]'); process.exit(2); }
const opt = Object.fromEntries(kv.map((s) => { const [k, v] = s.split('='); return [k, Number(v)]; }));
const steps = Number(stepsArg), every = opt.every ?? Math.max(50, steps / 80);
const device = await requestDevice();
const m = loadMaterialFolder(dir), r = parseRung(rungName), [g0, ...coarse] = r.grids;
const curve = { train: [], finetune: [] }, refine = [];
const t0 = performance.now();
const c = await compressMaterial(device, m, {
  scale: g0.scale, features: g0.features, bits: g0.bits, concat: g0.concat, coarse, hidden: r.hidden, steps, fineTuneSteps: Math.round(steps / 5),
  ...(opt.batch ? { batch: opt.batch } : {}), ...(opt.seed ? { seed: opt.seed } : {}), ...(opt.lrMlp ? { lrMlp: opt.lrMlp } : {}),
  ...(opt.lrLatent ? { lrLatent: opt.lrLatent } : {}), ...(opt.steFrom !== undefined ? { steFrom: opt.steFrom } : {}), ...(opt.balance === 0 ? { balance: false } : {}),
  ...(opt.steLatentLr !== undefined ? { steLatentLr: opt.steLatentLr } : {}), ...(opt.refineDuring !== undefined ? { refineDuring: [opt.refineDuring] } : {}),
  onProgress: (phase, step, total, loss) => {
    if (phase === 'refine') refine.push(+loss.toExponential(3));
    else if (step % every === 0 || step === total) curve[phase].push([step, +loss.toExponential(3)]);
  },
});
const seconds = (performance.now() - t0) / 1000;
const loaded = loadMaterial(device, encodeWgmat(c, m.textures));
const rep = materialReport(m, c, decoderBytes(c), await decodeMaterialGpu(device, loaded));
console.log(JSON.stringify({
  set: dir.split('/').filter(Boolean).pop(), rung: rungName, steps, ...opt, seconds: +seconds.toFixed(1),
  tex: Object.fromEntries(rep.textures.map((t) => [t.name, +t.psnr.toFixed(2)])), min: +Math.min(...rep.textures.map((t) => t.psnr)).toFixed(2),
  refine, curve,
}));
device.destroy();
