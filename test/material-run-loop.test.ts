/**
 * Issue 13, training speed: the trainer's run loop. What it reads back a chunk: The per-channel mean of the last batch's squared errors
 * is reduced on the GPU (kernels.ts lossMeanWgsl) against float64 means of the same errors, at batches below, at and
 * above the workgroup's 256 rows and not multiples of it; and a run reports every chunk once, in order, with the
 * errors of its own last step, though it reads each chunk while the next one runs (trainer.ts run). And a phase with
 * the latents frozen (fine-tuning), whose Adam skips them and leaves their gradients summed, changes no latent and
 * leaves nothing behind for the next phase.
 */
import { describe, it, expect } from 'vitest';
import { lossMeanWgsl, paramLayout, type TrainShape } from '../src/shaderml/material/kernels.js';
import { ADAM_BETA2, buf as trainerBuffer, makeTrainer, read as readFloats } from '../src/shaderml/material/trainer.js';
import { scoped, testDevice } from './helpers/gpu.js';
import { compareClose, rng, testSeed } from './helpers/random.js';

/** Random decoder weights (scale ½), latents and targets for shape `s`. */
function problem(s: TrainShape, r: () => number) {
  const L = paramLayout(s);
  const P0 = Float32Array.from({ length: L.mlp + L.latents }, (_, i) => (i < L.mlp ? (r() - 0.5) * 0.5 : r()));
  return { L, P0, tgt: Float32Array.from({ length: s.width * s.height * s.channels }, () => r()) };
}

describe('material training: the run loop', () => {
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
    const { P0, tgt } = problem(s, r);
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

  it(`a phase with frozen latents moves none, and the next phase starts from clean gradients (seed ${testSeed()})`, async () => {
    const device = await testDevice(), r = rng(testSeed());
    // Every texel a step (B = T) and no quantization noise: a step's gradient depends on the parameters alone.
    const s: TrainShape = { width: 12, height: 12, channels: 2, grids: [{ lw: 6, lh: 6, features: 4, bits: 8 }], hidden: 8, position: 'uv', batch: 144, alpha: 0.01 };
    const { L, P0, tgt } = problem(s, r);
    const a = await makeTrainer(device, [s], P0, [tgt]);
    // A decoder learning rate large enough that the latents' gradients change sign from step to step.
    await scoped(device, () => a.run('finetune', 40, 0.5, 0));
    const mid = await a.params();
    expect(Array.from(mid.subarray(L.mlp)), 'frozen latents').toEqual(Array.from(P0.subarray(L.mlp)));
    expect(Array.from(mid.subarray(0, L.mlp))).not.toEqual(Array.from(P0.subarray(0, L.mlp)));
    await scoped(device, () => a.run('train', 1, 0, 5e-2));
    const after = await a.params();
    a.destroy();
    // A fresh trainer from the same parameters takes the same first latent step (Adam's first step is ±lr·c(t) by the
    // gradient's sign, c from the step count): the same sign on every latent; stale sums would flip some.
    const b = await makeTrainer(device, [s], mid, [tgt]);
    await scoped(device, () => b.run('train', 1, 0, 5e-2));
    const fresh = await b.params();
    b.destroy();
    const sign = (q: Float32Array) => Array.from(q.subarray(L.mlp), (v, i) => Math.sign(v - mid[L.mlp + i]!));
    expect(sign(fresh).filter((v) => v !== 0).length, 'latents that moved').toBeGreaterThan(L.latents / 2);
    expect(sign(after)).toEqual(sign(fresh));
  });

  it(`Adam's second-moment decay reaches the kernel: the default is ADAM_BETA2, another value steps otherwise (seed ${testSeed()})`, async () => {
    const device = await testDevice();
    const s: TrainShape = { width: 8, height: 8, channels: 2, grids: [{ lw: 4, lh: 4, features: 4, bits: 8 }], hidden: 8, position: 'uv', batch: 64, alpha: 0.01 };
    const { P0, tgt } = problem(s, rng(testSeed()));
    const after = async (o: { adamBeta2?: number }) => {
      const tr = await makeTrainer(device, [s], P0, [tgt], o);
      await scoped(device, () => tr.run('train', 3, 1e-2, 5e-2));
      const p = await tr.params();
      tr.destroy();
      return Array.from(p);
    };
    const byDefault = await after({});
    expect(await after({ adamBeta2: ADAM_BETA2 })).toEqual(byDefault);
    // From the second step on, v's decay changes the step: m̂ / √v̂ differs once v holds two gradients.
    expect(await after({ adamBeta2: 0.5 })).not.toEqual(byDefault);
  });
});
