/** LRN (across channels): GPU vs CPU reference on seeded random inputs, plus the one-channel formula. */
import { describe, it, expect } from 'vitest';
import { hostTensor } from '../../../src/ir/types.js';
import { referenceNode } from '../../../src/runtime/single.js';
import { rng, randn, testSeed } from '../../helpers/random.js';
import { f, i, gpuMatchesRef, node } from '../helpers.js';

const seed = testSeed();
const r = rng(seed);
const rand = (shape: number[]) => hostTensor('float32', shape, randn(r, shape.reduce((a, b) => a * b, 1)));

describe(`LRN (seed ${seed})`, () => {
  it('LRN, odd and even sizes, rank 3 and 4', async () => {
    for (const [size, shape] of [[3, [2, 5, 3, 3]], [2, [1, 6, 4]], [5, [1, 3, 2, 2]], [1, [2, 4, 3]]] as const) {
      await gpuMatchesRef(node('LRN', 1, { size: i(size), alpha: f(0.02), beta: f(0.6), bias: f(1.5) }), [rand([...shape])]);
    }
    // One channel, size 1: y = x / (bias + alpha x²)^beta.
    const [y] = referenceNode(node('LRN', 1, { size: i(1), alpha: f(1), beta: f(1), bias: f(1) }), [hostTensor('float32', [1, 1, 1], [2])]);
    expect(y!.data[0]).toBeCloseTo(2 / 5, 6);
  });
});
