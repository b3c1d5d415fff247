/** MeanVarianceNormalization: GPU vs CPU reference on seeded random inputs, plus a hand-checked case. */
import { describe, it, expect } from 'vitest';
import { hostTensor } from '../../../src/ir/types.js';
import { referenceNode } from '../../../src/runtime/single.js';
import { rng, randn, testSeed } from '../../helpers/random.js';
import { ints, gpuMatchesRef, node } from '../helpers.js';

const seed = testSeed();
const r = rng(seed);
const rand = (shape: number[]) => hostTensor('float32', shape, randn(r, shape.reduce((a, b) => a * b, 1)));

describe(`MeanVarianceNormalization (seed ${seed})`, () => {
  it('MeanVarianceNormalization, default and custom axes', async () => {
    const x = rand([2, 3, 4, 5]);
    for (const axes of [null, [1], [0, 3], [-1, -2], [0, 1, 2, 3]]) {
      await gpuMatchesRef(node('MeanVarianceNormalization', 1, axes ? { axes: ints(axes) } : {}), [x], { opset: 13, rtol: 2e-4, atol: 2e-5 });
    }
    const [y] = referenceNode(node('MeanVarianceNormalization', 1, { axes: ints([0]) }), [hostTensor('float32', [2], [1, 3])], 13);
    expect(Array.from(y!.data).map((v) => +v.toFixed(6))).toEqual([-1, 1]);
  });
});
