// Every ONNX backend model wgml runs gives the same bits when it goes through a .wgml package first
// (writePackage → loadLibrary): the package format (narrow float16/int8 tensors, inline tensor attributes,
// subgraphs of If, Loop and Scan) loses nothing a model needs. Models wgml refuses, or whose test inputs do not
// bind, are left out and counted.
import { it, expect } from 'vitest';
import * as wgml from '../src/index.js';
import { loadGraph } from '../src/runtime/library.js';
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
