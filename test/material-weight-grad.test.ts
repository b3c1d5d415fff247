/**
 * Issue 13, training speed: the decoder's weight gradient, reduced over the batch in 4 × 4 tiles (kernels.ts
 * weightGradWgsl) and its slices summed (gradSumWgsl), against float64 sums of the activations and deltas the forward
 * and backward kernel wrote (read back): every weight and bias of every layer, at layer sizes that are not multiples of
 * the tile (inputs 13 and 19, outputs 1, 3 and 6) and batches that do not fill their last slice.
 */
import { describe, it, expect } from 'vitest';
import { fwdBwdWgsl, GRAD_SUM_LANE_SLICES, gradSumWgsl, layerSizes, paramLayout, weightGradGrid, weightGradWgsl, type TrainShape } from '../src/shaderml/material/kernels.js';
import { buf as trainerBuffer, read as readFloats } from '../src/shaderml/material/trainer.js';
import { scoped, testDevice } from './helpers/gpu.js';
import { compareClose, rng, testSeed } from './helpers/random.js';

const CASES: { name: string; s: Omit<TrainShape, 'alpha'> }[] = [
  { name: '24×20, 6 outputs, 19 inputs (blended + concatenated + quarter grids, p2), batch 300', s: { width: 24, height: 20, channels: 6, grids: [{ lw: 24, lh: 20, features: 1, bits: 4 }, { lw: 12, lh: 10, features: 2, bits: 4, concat: true }, { lw: 6, lh: 5, features: 4, bits: 2 }], hidden: 32, position: 'p2', batch: 300 } },
  { name: '16×16, 1 output, hidden 8, batch 256 (all texels)', s: { width: 16, height: 16, channels: 1, grids: [{ lw: 8, lh: 8, features: 11, bits: 8 }], hidden: 8, position: 'uv', batch: 256 } },
  { name: '40×30, 3 outputs, hidden 12, batch 1111 (4 slices, the last short)', s: { width: 40, height: 30, channels: 3, grids: [{ lw: 20, lh: 15, features: 5, bits: 2 }], hidden: 12, position: 'p4', batch: 1111 } },
];

describe('material training: weight gradient', () => {
  it('generates the kernel it did (6 outputs, 19 inputs: three layers of ragged tiles)', async () => {
    await expect(weightGradWgsl({ ...CASES[0]!.s, alpha: 0.01 })).toMatchFileSnapshot('__snapshots__/material-weight-grad.wgsl');
  });

  for (const { name, s: shape } of CASES) {
    it(`${name} (seed ${testSeed()})`, async () => {
      const device = await testDevice(), r = rng(testSeed());
      const s: TrainShape = { ...shape, alpha: 0.01 }, L = paramLayout(s), [I, Hd, , C] = layerSizes(s);
      const ACT = I! + 2 * Hd!, DEL = 2 * Hd! + C!, N = L.mlp + L.latents, B = s.batch;
      const buf = (data: Float32Array | Uint32Array | number) => trainerBuffer(device, 'weight-grad test', data);
      const P = Float32Array.from({ length: N }, (_, i) => (i < L.mlp ? r() - 0.5 : r()));
      const bufs = { P: buf(P), T: buf(Float32Array.from({ length: s.width * s.height * C! }, () => r())), S: buf(new Uint32Array([5, 0, 0, 0])), A: buf(B * ACT * 4), D: buf(B * DEL * 4), LOSS: buf(B * C! * 4), GL: buf(L.latents * 4), CW: buf(Float32Array.from({ length: C! }, () => 0.5 + r())) };
      const [gx, slices] = weightGradGrid(s);
      const PART = buf(slices * L.mlp * 4), G = buf(L.mlp * 4);
      const run = (code: string, bs: GPUBuffer[], grid: [number, number?], enc: GPUCommandEncoder) => {
        const p = device.createComputePipeline({ label: 'weight-grad test', layout: 'auto', compute: { module: device.createShaderModule({ code }), entryPoint: 'main' } });
        const pass = enc.beginComputePass();
        pass.setPipeline(p);
        pass.setBindGroup(0, device.createBindGroup({ layout: p.getBindGroupLayout(0), entries: bs.map((b, i) => ({ binding: i, resource: { buffer: b } })) }));
        pass.dispatchWorkgroups(grid[0], grid[1] ?? 1);
        pass.end();
      };
      const read = (b: GPUBuffer, n: number) => readFloats(device, b, n * 4);
      const [A, D, got] = await scoped(device, async () => {
        const enc = device.createCommandEncoder();
        run(fwdBwdWgsl(s), [bufs.P, bufs.T, bufs.S, bufs.A, bufs.D, bufs.LOSS, bufs.GL, bufs.CW], [Math.ceil(B / 64)], enc);
        run(weightGradWgsl(s), [bufs.A, bufs.D, PART, bufs.S], [gx, slices], enc);
        run(gradSumWgsl(s), [PART, G, bufs.S], [Math.ceil(L.mlp / 64)], enc);
        device.queue.submit([enc.finish()]);
        return [await read(bufs.A, B * ACT), await read(bufs.D, B * DEL), await read(G, L.mlp)];
      });
      // Layer l: inputs at activation offset a, deltas at delta offset d (x·h1·h2 and d1·d2·d3 per row).
      const want = new Float64Array(L.mlp);
      [[I!, Hd!, 0, 0], [Hd!, Hd!, I!, Hd!], [Hd!, C!, I! + Hd!, 2 * Hd!]].forEach(([nin, nout, a, d], l) => {
        for (let b = 0; b < B; b++) for (let o = 0; o < nout!; o++) {
          const dv = D[b * DEL + d! + o]!;
          want[L.b[l]! + o] += dv;
          for (let i = 0; i < nin!; i++) want[L.w[l]! + o * nin! + i] += dv * A[b * ACT + a! + i]!;
        }
      });
      expect(want.some((v) => Math.abs(v) > 1e-3), 'a gradient that is not all zero').toBe(true);
      expect(compareClose(got, want, 1e-4, 1e-5)).toBeNull();
      [...Object.values(bufs), PART, G].forEach((b) => b.destroy());
    });
  }

  for (const slices of [GRAD_SUM_LANE_SLICES, GRAD_SUM_LANE_SLICES + 1, 1000]) {
    it(`sums ${slices} slices of ${CASES[1]!.name.split(',')[0]}'s parameters${slices > GRAD_SUM_LANE_SLICES ? ' in four lanes' : ''}, onto G for a mip level (seed ${testSeed()})`, async () => {
      const device = await testDevice(), r = rng(testSeed() + slices);
      for (const accumulate of [false, true]) {
        const s: TrainShape = { ...CASES[1]!.s, alpha: 0.01, accumulate }, n = paramLayout(s).mlp;
        const part = Float32Array.from({ length: slices * n }, () => r() - 0.5), g0 = Float32Array.from({ length: n }, () => r());
        const PART = trainerBuffer(device, 'grad-sum test', part), G = trainerBuffer(device, 'grad-sum test', g0), S = trainerBuffer(device, 'grad-sum test', new Uint32Array(4));
        const got = await scoped(device, async () => {
          const p = device.createComputePipeline({ label: 'grad-sum test', layout: 'auto', compute: { module: device.createShaderModule({ code: gradSumWgsl(s, slices) }), entryPoint: 'main' } });
          const enc = device.createCommandEncoder(), pass = enc.beginComputePass();
          pass.setPipeline(p);
          pass.setBindGroup(0, device.createBindGroup({ layout: p.getBindGroupLayout(0), entries: [PART, G, S].map((b, i) => ({ binding: i, resource: { buffer: b } })) }));
          pass.dispatchWorkgroups(Math.ceil(n / 64));
          pass.end();
          device.queue.submit([enc.finish()]);
          return readFloats(device, G, n * 4);
        });
        const want = Array.from({ length: n }, (_, j) => { let v = accumulate ? g0[j]! : 0; for (let k = 0; k < slices; k++) v += part[k * n + j]!; return v; });
        expect(compareClose(got, want, 1e-4, 1e-4), `accumulate ${accumulate}`).toBeNull();
        [PART, G, S].forEach((b) => b.destroy());
      }
    });
  }
});
