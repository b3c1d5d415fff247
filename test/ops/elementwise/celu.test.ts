/** Celu: GPU kernel vs CPU reference on seeded random inputs, and the reference at a known point. */
import { describe, it, expect } from 'vitest';
import { hostTensor } from '../../../src/ir/types.js';
import { referenceNode } from '../../../src/runtime/single.js';
import { testSeed } from '../../helpers/random.js';
import { f, node, unaryRandomCases, type A, type UnaryCase } from '../helpers.js';

const seed = testSeed();

const CASES: UnaryCase[] = [
  [{ alpha: f(0.7) }, (r) => (r() - 0.5) * 8],
  [{}, (r) => (r() - 0.5) * 8],
];

describe(`Celu (seed ${seed})`, () => {
  unaryRandomCases('Celu', seed, CASES);

  it('the reference follows the spec formula at known points', () => {
    const x = hostTensor('float32', [4], [-2, -0.5, 0.5, 2]);
    const one = (attrs: A = {}) => Array.from(referenceNode(node('Celu', 1, attrs), [x])[0]!.data);
    expect(one({ alpha: f(2) })[0]).toBeCloseTo(2 * (Math.exp(-1) - 1), 6);
  });
});
