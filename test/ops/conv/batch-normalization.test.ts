import { describe, expect, it } from 'vitest';
import { check, node, rand } from './helpers.js';
import { rng, testSeed } from '../../helpers/random.js';
import { runNode } from '../../../src/runtime/single.js';
import { UnsupportedOpsError } from '../../../src/errors.js';
import { hostTensor } from '../../../src/ir/types.js';
import { testDevice } from '../../helpers/gpu.js';

describe('BatchNormalization', () => {
  const seed = testSeed();
  for (const shape of [[2, 5, 6, 7], [3, 4], [1, 3, 11]]) {
    it(`inference [${shape}]`, async () => {
      const r = rng(seed);
      const c = shape[1]!;
      const v = rand(r, [c]); v.data.forEach((e, i) => (v.data[i] = Math.abs(e) + 0.1));
      await check(node('BatchNormalization', 5, { }), [rand(r, shape), rand(r, [c]), rand(r, [c]), rand(r, [c]), v], seed, 1e-4);
    });
  }
  it('training_mode=1 is refused with a reason', async () => {
    const n = node('BatchNormalization', 5, { training_mode: 1 });
    const c = hostTensor('float32', [2], [1, 1]);
    const ins = [hostTensor('float32', [1, 2, 2, 2]), c, c, c, c];
    const err = await runNode(await testDevice(), n, ins).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedOpsError);
    expect(String(err)).toMatch(/inference only/);
  });
});
