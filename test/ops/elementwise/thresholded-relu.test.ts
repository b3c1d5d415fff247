/** ThresholdedRelu: GPU kernel vs CPU reference on seeded random inputs, and the reference at known points. */
import { describe, it, expect } from 'vitest';
import { hostTensor } from '../../../src/ir/types.js';
import { referenceNode } from '../../../src/runtime/single.js';
import { rng, testSeed } from '../../helpers/random.js';
import { f, gpuMatchesRef, node, type A } from '../helpers.js';

const seed = testSeed();

/** attrs, input generator (domain of the function), rtol. */
const CASES: [A, (r: () => number) => number, number?][] = [
  [{ alpha: f(0.3) }, (r) => (r() - 0.5) * 4],
  [{}, (r) => (r() - 0.5) * 4],
];

describe(`ThresholdedRelu (seed ${seed})`, () => {
  CASES.forEach(([attrs, gen, rtol], k) => {
    it(`ThresholdedRelu ${JSON.stringify(attrs)}`, async () => {
      const r = rng(seed + k);
      const shape = [3, 5, 7];
      const x = hostTensor('float32', shape, Array.from({ length: 105 }, () => gen(r)));
      await gpuMatchesRef(node('ThresholdedRelu', 1, attrs), [x], { rtol: rtol ?? 2e-4, atol: 2e-6 });
    });
  });

  it('the reference follows the spec formula at known points', () => {
    const x = hostTensor('float32', [4], [-2, -0.5, 0.5, 2]);
    const one = (attrs: A = {}) => Array.from(referenceNode(node('ThresholdedRelu', 1, attrs), [x])[0]!.data);
    expect(one({ alpha: f(0.5) })).toEqual([0, 0, 0, 2]);
  });
});
