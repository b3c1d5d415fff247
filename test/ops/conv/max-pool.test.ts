import { describe, expect, it } from 'vitest';
import { checkPool, node, poolCases } from './helpers.js';
import { testSeed } from '../../helpers/random.js';
import { referenceNode, runNode } from '../../../src/runtime/single.js';
import { UnsupportedOpsError } from '../../../src/errors.js';
import { hostTensor } from '../../../src/ir/types.js';
import { testDevice } from '../../helpers/gpu.js';

describe('MaxPool', () => {
  const seed = testSeed();
  poolCases.forEach(([name, shape, a], i) => {
    if (a.auto_pad === 'SAME_LOWER') return;
    it(`MaxPool ${name}`, async () => { await checkPool('MaxPool', a, shape, name, seed + i); });
  });

  it('MaxPool Indices output: reference computes it, GPU refuses with a reason', async () => {
    const n = node('MaxPool', 1, { kernel_shape: [2, 2] }, 2);
    const x = hostTensor('float32', [1, 1, 2, 3], [1, 5, 2, 7, 0, 3]);
    const [y, ind] = referenceNode(n, [x]);
    expect([...y!.data]).toEqual([7, 5]);
    expect([...ind!.data]).toEqual([3, 1]);
    await expect(runNode(await testDevice(), n, [x])).rejects.toThrow(UnsupportedOpsError);
  });
});
