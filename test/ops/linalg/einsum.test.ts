/** Einsum: GPU vs CPU reference on seeded random inputs, plus hand-checked cases for the reference. */
import { describe, it, expect } from 'vitest';
import { hostTensor } from '../../../src/ir/types.js';
import { referenceNode } from '../../../src/runtime/single.js';
import { rng, randn, testSeed } from '../../helpers/random.js';
import { str, gpuMatchesRef, node } from '../helpers.js';

const seed = testSeed();
const r = rng(seed);
const rand = (shape: number[]) => hostTensor('float32', shape, randn(r, shape.reduce((a, b) => a * b, 1)));

describe(`Einsum (seed ${seed})`, () => {
  const cases: [string, number[][]][] = [
    ['bij,bjk->bik', [[2, 3, 4], [2, 4, 5]]],
    ['ij->ji', [[3, 4]]],
    ['ij->i', [[3, 4]]],
    ['i,i', [[7], [7]]],
    ['...ii->...i', [[2, 3, 3]]],
    ['ii', [[4, 4]]],
    ['ij,jk', [[3, 4], [4, 2]]],
    ['b...c,c->b...', [[2, 3, 1, 4], [4]]],
    ['...j,j...->...', [[2, 1, 3], [3, 4]]],
    ['ij,jk,kl->il', [[2, 3], [3, 4], [4, 2]]],
    ['i,j->ij', [[3], [4]]],
    ['abc->', [[2, 3, 4]]],
  ];
  for (const [eq, shapes] of cases) {
    it(eq, async () => {
      await gpuMatchesRef(node('Einsum', shapes.length, { equation: str(eq) }), shapes.map(rand), { opset: 12, rtol: 1e-4, atol: 1e-5 });
    });
  }
  it('the reference computes a matmul, a trace and an outer product', () => {
    const A = hostTensor('float32', [2, 2], [1, 2, 3, 4]), B = hostTensor('float32', [2, 2], [5, 6, 7, 8]);
    const e = (eq: string, ...xs: typeof A[]) => Array.from(referenceNode(node('Einsum', xs.length, { equation: str(eq) }), xs, 12)[0]!.data);
    expect(e('ij,jk->ik', A, B)).toEqual([19, 22, 43, 50]);
    expect(e('ii', A)).toEqual([5]);
    expect(e('ii->i', A)).toEqual([1, 4]);
    expect(e('ij->ji', A)).toEqual([1, 3, 2, 4]);
  });
  it('refuses bad equations with a NodeError', () => {
    const x = rand([2, 3]);
    for (const eq of ['ijk->i', 'ij->k', 'i#->i', 'ij,jk->ik']) expect(() => referenceNode(node('Einsum', 1, { equation: str(eq) }), [x], 12), eq).toThrow(/node/);
  });
});
