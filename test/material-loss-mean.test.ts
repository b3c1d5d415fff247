/**
 * Issue 13, training speed: what the trainer reads back a chunk. The per-channel mean of the last batch's squared errors
 * is reduced on the GPU (kernels.ts lossMeanWgsl) against float64 means of the same errors, at batches below, at and
 * above the workgroup's 256 rows and not multiples of it; and a run reports every chunk once, in order, with the
 * errors of its own last step, though it reads each chunk while the next one runs (trainer.ts run).
 */
import { describe, it, expect } from 'vitest';
import { lossMeanWgsl, paramLayout, type TrainShape } from '../src/shaderml/material/kernels.js';
import { buf as trainerBuffer, makeTrainer, read as readFloats } from '../src/shaderml/material/trainer.js';
import { scoped, testDevice } from './helpers/gpu.js';
import { compareClose, rng, testSeed } from './helpers/random.js';

describe('material training: the errors read back a chunk', () => {
  it('generates the kernel it did', async () => {
    await expect(lossMeanWgsl({ width: 512, height: 512, channels: 6, batch: 65536 } as TrainShape)).toMatchFileSnapshot('__snapshots__/material-loss-mean.wgsl');
  });

  for (const [batch, C] of [[37, 1], [256, 3], [1111, 6], [4099, 5]] as const) {
    it(`means ${C} channel(s) over a batch of ${batch} (seed ${testSeed()})`, async () => {
      const device = await testDevice(), r = rng(testSeed() + batch);
      const s = { width: 64, height: 80, channels: C, batch } as TrainShape;
      const loss = Float32Array.from({ length: batch * C }, (_, i) => r() * (1 + (i % C)) * 1e-2);
      const LOSS = trainerBuffer(device, 'loss-mean test', loss), OUT = trainerBuffer(device, 'loss-mean test', C * 4);
      const got = await scoped(device, async () => {
        const p = device.createComputePipeline({ label: 'loss-mean test', layout: 'auto', compute: { module: device.createShaderModule({ code: lossMeanWgsl(s) }), entryPoint: 'main' } });
        const enc = device.createCommandEncoder(), pass = enc.beginComputePass();
        pass.setPipeline(p);
        pass.setBindGroup(0, device.createBindGroup({ layout: p.getBindGroupLayout(0), entries: [LOSS, OUT].map((b, i) => ({ binding: i, resource: { buffer: b } })) }));
        pass.dispatchWorkgroups(C);
        pass.end();
        device.queue.submit([enc.finish()]);
        return readFloats(device, OUT, C * 4);
      });
      const want = new Float64Array(C);
      loss.forEach((v, i) => { want[i % C] += v / batch; });
      expect(compareClose(Array.from(got), Array.from(want), 1e-5, 0)).toBeNull();
    });
  }

  it(`a run reports each chunk once, in order, with its last step's errors (seed ${testSeed()})`, async () => {
    const device = await testDevice(), r = rng(testSeed());
    const s: TrainShape = { width: 16, height: 16, channels: 3, grids: [{ lw: 8, lh: 8, features: 4, bits: 8 }], hidden: 8, position: 'uv', batch: 256, alpha: 0.01 };
    const L = paramLayout(s);
    const P0 = Float32Array.from({ length: L.mlp + L.latents }, (_, i) => (i < L.mlp ? (r() - 0.5) * 0.5 : r()));
    const tgt = Float32Array.from({ length: 256 * 3 }, () => r());
    // 100 steps in chunks of 5 (steps / 20); the errors of a chunk's last step are those the next step starts from, so a
    // second trainer stepped to exactly that step and run for one more step reports them as its first chunk's.
    const tr = await makeTrainer(device, [s], P0, [tgt]);
    const seen: { step: number; mse: number[] }[] = [];
    await scoped(device, () => tr.run('train', 100, 1e-2, 5e-2, { onChunk: (step, mse) => { seen.push({ step, mse: Array.from(mse) }); } }));
    tr.destroy();
    expect(seen.map((c) => c.step)).toEqual(Array.from({ length: 20 }, (_, i) => 5 * (i + 1)));
    for (const at of [35, 100]) {
      const t2 = await makeTrainer(device, [s], P0, [tgt]);
      let last: number[] = [];
      await scoped(device, () => t2.run('train', 100, 1e-2, 5e-2, { to: at, onChunk: (_, mse) => { last = Array.from(mse); } }));
      t2.destroy();
      expect(compareClose(last, seen.find((c) => c.step === at)!.mse, 1e-6, 0), `step ${at}`).toBeNull();
    }
    expect(seen[19]!.mse.reduce((a, v) => a + v, 0)).toBeLessThan(seen[0]!.mse.reduce((a, v) => a + v, 0));
  });
});
