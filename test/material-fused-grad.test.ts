/**
 * Issue 13, training speed: the trainer with the tiled kernel's fused weight gradient (TrainerOptions.fusedGrad: each
 * workgroup reduces its tile's part, grad_sum sums the workgroups, no weight_grad kernel or A/D rows) against the
 * trainer without it, a few Adam steps with QAT noise on a small material with a short last tile, one level and two
 * mip levels (the second accumulating into the first's gradient): the parameters must agree. The fused kernel itself
 * is checked against a float64 reference in material-fwd-bwd.test.ts.
 */
import { describe, it, expect } from 'vitest';
import { latentCount, paramLayout, type TrainShape } from '../src/shaderml/material/kernels.js';
import { fwdBwdTileFor } from '../src/shaderml/material/fwd-bwd-tiled.js';
import { makeTrainer } from '../src/shaderml/material/trainer.js';
import { testDevice } from './helpers/gpu.js';
import { compareClose, rng, testSeed } from './helpers/random.js';

const level0: TrainShape = { width: 24, height: 20, channels: 6, grids: [{ lw: 24, lh: 20, features: 1, bits: 4 }, { lw: 12, lh: 10, features: 2, bits: 4, concat: true }, { lw: 6, lh: 5, features: 4, bits: 2 }], hidden: 32, position: 'p2', batch: 300, alpha: 0.01 };
const level1: TrainShape = { ...level0, width: 12, height: 10, grids: [{ lw: 12, lh: 10, features: 1, bits: 4 }, { lw: 6, lh: 5, features: 2, bits: 4, concat: true }, { lw: 3, lh: 3, features: 4, bits: 2 }], batch: 100, lossWeight: 0.5 };

describe('material training: fused weight gradient in the trainer', () => {
  for (const [name, shapes] of [['one level', [level0]], ['two mip levels', [level0, level1]]] as const) {
    it(`${name}: fused and unfused steps give the same parameters (seed ${testSeed()})`, async () => {
      const device = await testDevice(), r = rng(testSeed() + 13);
      for (const s of shapes) expect(fwdBwdTileFor(device, s, true, { fusedGrad: true }), 'a fused tile fits').not.toBeNull();
      const L = paramLayout(level0), lat = shapes.reduce((a, s) => a + latentCount(s), 0);
      const P0 = Float32Array.from({ length: L.mlp + lat }, (_, i) => (i < L.mlp ? (r() - 0.5) * 0.6 : r()));
      const tgts = shapes.map((s) => Float32Array.from({ length: s.width * s.height * s.channels }, () => r()));
      const train = async (fusedGrad: boolean) => {
        const tr = await makeTrainer(device, [...shapes], P0, tgts, { fusedGrad });
        await tr.run('train', 6, 1e-3, 1e-3, { qat: true });
        const p = await tr.params();
        tr.destroy();
        return p;
      };
      const [plain, fused] = [await train(false), await train(true)];
      expect(plain.subarray(0, L.mlp).filter((v, j) => Math.abs(v - P0[j]!) > 1e-3).length, 'decoder parameters that moved').toBeGreaterThan(L.mlp / 2);
      expect(compareClose(fused, plain, 1e-4, 1e-6)).toBeNull();
    }, 120_000);
  }
});
