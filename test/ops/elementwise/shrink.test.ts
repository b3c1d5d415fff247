/** Shrink: GPU kernel vs CPU reference on seeded random float and int32 inputs, and the reference at known points. */
import { describe, it, expect } from 'vitest';
import { hostTensor } from '../../../src/ir/types.js';
import { referenceNode } from '../../../src/runtime/single.js';
import { rng, testSeed } from '../../helpers/random.js';
import { f, gpuMatchesRef, node, unaryRandomCases, type A, type UnaryCase } from '../helpers.js';

const seed = testSeed();

const CASES: UnaryCase[] = [
  [{ lambd: f(0.8), bias: f(0.25) }, (r) => (r() - 0.5) * 4],
  [{}, (r) => (r() - 0.5) * 4],
];

describe(`Shrink (seed ${seed})`, () => {
  unaryRandomCases('Shrink', seed, CASES);

  it('the reference follows the spec formula at known points', () => {
    const x = hostTensor('float32', [4], [-2, -0.5, 0.5, 2]);
    const one = (attrs: A = {}) => Array.from(referenceNode(node('Shrink', 1, attrs), [x])[0]!.data);
    expect(one({ lambd: f(1), bias: f(0.5) })).toEqual([-1.5, 0, 0, 1.5]);
  });

  it('Shrink on int32 truncates bias and keeps the dtype', async () => {
    const r = rng(seed + 99);
    const x = hostTensor('int32', [20], Array.from({ length: 20 }, () => Math.floor((r() - 0.5) * 10)));
    const [y] = await gpuMatchesRef(node('Shrink', 1, { lambd: f(1.5), bias: f(1.7) }), [x]);
    expect(y!.dtype).toBe('int32');
  });
});
