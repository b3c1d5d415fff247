/** ThresholdedRelu: GPU kernel vs CPU reference on seeded random inputs, and the reference at known points. */
import { describe, it, expect } from 'vitest';
import { hostTensor } from '../../../src/ir/types.js';
import { referenceNode } from '../../../src/runtime/single.js';
import { testSeed } from '../../helpers/random.js';
import { f, node, unaryRandomCases, type A, type UnaryCase } from '../helpers.js';

const seed = testSeed();

const CASES: UnaryCase[] = [
  [{ alpha: f(0.3) }, (r) => (r() - 0.5) * 4],
  [{}, (r) => (r() - 0.5) * 4],
];

describe(`ThresholdedRelu (seed ${seed})`, () => {
  unaryRandomCases('ThresholdedRelu', seed, CASES);

  it('the reference follows the spec formula at known points', () => {
    const x = hostTensor('float32', [4], [-2, -0.5, 0.5, 2]);
    const one = (attrs: A = {}) => Array.from(referenceNode(node('ThresholdedRelu', 1, attrs), [x])[0]!.data);
    expect(one({ alpha: f(0.5) })).toEqual([0, 0, 0, 2]);
  });
});
