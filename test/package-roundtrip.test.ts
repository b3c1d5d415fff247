// Every ONNX backend model wgml runs gives the same bits when it goes through a .wgml package first
// (writePackage → loadLibrary): the package format (narrow float16/int8 tensors, inline tensor attributes,
// subgraphs of If, Loop and Scan) loses nothing a model needs. Models wgml refuses, or whose test inputs do not
// bind, are left out and counted.
import { it, expect } from 'vitest';
import * as wgml from '../src/index.js';
import { loadGraph } from '../src/runtime/library.js';
import { planNetwork } from '../src/runtime/pipeline.js';
import { listCases, loadCase } from './helpers/onnx-testdata.js';
import { testDevice } from './helpers/gpu.js';

// skipped, as the conformance tests are, where Debian's libonnx-testdata is not installed
it.skipIf(listCases().length === 0)('every backend model wgml runs gives the same bits from a .wgml package', async () => {
  const device = await testDevice();
  let same = 0, differ = 0, skipped = 0;
  const bad: string[] = [];
  for (const c of listCases()) {
    let d;
    try { d = loadCase(c); } catch { skipped++; continue; }
    let g;
    try { g = (await loadGraph(d.model)).graph; } catch { skipped++; continue; }
    const names = g.inputs.filter((i) => !g.initializers.has(i.name)).map((i) => i.name);
    const inputs = Object.fromEntries(names.map((n, k) => [n, d.inputs[k]!]));
    let a;
    try { a = await wgml.runModel(device, g, inputs); } catch { skipped++; continue; }
    try {
      const back = (await wgml.loadLibrary(device, wgml.writePackage(g))).function('main').graph;
      const b = await wgml.runModel(device, back, inputs);
      const ok = Object.keys(a).every((k) => a[k]!.data.length === b[k]!.data.length && a[k]!.data.every((v, i) => Object.is(v, b[k]!.data[i]) || (Number.isNaN(v) && Number.isNaN(b[k]!.data[i]))));
      if (ok) same++; else { differ++; bad.push(c.name); }
    } catch (e) { differ++; bad.push(`${c.name}: ${(e as Error).message.split('\n')[0]}`); }
  }
  expect(bad, `${differ} differ`).toEqual([]);
  expect(same).toBeGreaterThan(800);
  expect(skipped).toBeLessThan(250);
}, 600_000);

// Constants whose values are all float16 values are stored two to a word by default (runtime/half-weights.ts) and
// read by every kernel through its accessors: across the backend models, that changes no output bit.
it.skipIf(listCases().length === 0)('every backend model wgml runs gives the same bits with its float16-valued constants at half width', async () => {
  const device = await testDevice();
  let same = 0, halved = 0;
  const bad: string[] = [];
  for (const c of listCases()) {
    let d, g;
    try { d = loadCase(c); g = (await loadGraph(d.model)).graph; } catch { continue; }
    const names = g.inputs.filter((i) => !g.initializers.has(i.name)).map((i) => i.name);
    const inputs = Object.fromEntries(names.map((n, k) => [n, d.inputs[k]!]));
    let a, b;
    try { a = await wgml.runModel(device, g, inputs, { weights: 'f32' }); } catch { continue; }
    try {
      const dims = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, v.shape]));
      if (planNetwork(device, g, { inputDimensions: dims }).weights.some((w) => w.half)) halved++;
      b = await wgml.runModel(device, g, inputs);
    } catch (e) { bad.push(`${c.name}: ${(e as Error).message.split('\n')[0]}`); continue; }
    const ok = Object.keys(a).every((k) => a[k]!.data.every((v, i) => Object.is(v, b[k]!.data[i]) || (Number.isNaN(v) && Number.isNaN(b[k]!.data[i]))));
    if (ok) same++; else bad.push(c.name);
  }
  expect(bad).toEqual([]);
  expect(same).toBeGreaterThan(800);
  expect(halved, 'models with a constant stored at half width').toBeGreaterThanOrEqual(10); // 11 (most backend cases feed their data as inputs)
}, 600_000);
