/** New elementwise ops (trig/hyperbolic, Celu, ThresholdedRelu, Shrink): GPU kernel vs CPU reference on seeded random inputs. */
import { describe, it, expect } from 'vitest';
import { hostTensor } from '../../../src/ir/types.js';
import { referenceNode } from '../../../src/runtime/single.js';
import { rng, randn, testSeed } from '../../helpers/random.js';
import { f, gpuMatchesRef, node, type A } from '../helpers.js';

const seed = testSeed();

/** op, attrs, input generator (domain of the function), rtol. */
const UNARY: [string, A, (r: () => number) => number, number?][] = [
  ['Acos', {}, (r) => r() * 2 - 1],
  ['Asin', {}, (r) => r() * 2 - 1],
  ['Atan', {}, (r) => (r() - 0.5) * 20],
  ['Tan', {}, (r) => (r() - 0.5) * 2.8, 1e-3],
  ['Acosh', {}, (r) => 1 + r() * 20],
  ['Asinh', {}, (r) => (r() - 0.5) * (r() < 0.3 ? 0.02 : 40)],
  ['Atanh', {}, (r) => (r() - 0.5) * (r() < 0.3 ? 0.08 : 1.98)],
  ['Cosh', {}, (r) => (r() - 0.5) * 16],
  ['Sinh', {}, (r) => (r() - 0.5) * (r() < 0.3 ? 0.2 : 16)],
  ['Celu', { alpha: f(0.7) }, (r) => (r() - 0.5) * 8],
  ['Celu', {}, (r) => (r() - 0.5) * 8],
  ['ThresholdedRelu', { alpha: f(0.3) }, (r) => (r() - 0.5) * 4],
  ['ThresholdedRelu', {}, (r) => (r() - 0.5) * 4],
  ['Shrink', { lambd: f(0.8), bias: f(0.25) }, (r) => (r() - 0.5) * 4],
  ['Shrink', {}, (r) => (r() - 0.5) * 4],
];

describe(`new unary ops (seed ${seed})`, () => {
  UNARY.forEach(([op, attrs, gen, rtol], k) => {
    it(`${op} ${JSON.stringify(attrs)}`, async () => {
      const r = rng(seed + k);
      const shape = [3, 5, 7];
      const x = hostTensor('float32', shape, Array.from({ length: 105 }, () => gen(r)));
      await gpuMatchesRef(node(op, 1, attrs), [x], { rtol: rtol ?? 2e-4, atol: 2e-6 });
    });
  });

  it('the references follow the spec formulas at known points', () => {
    const x = hostTensor('float32', [4], [-2, -0.5, 0.5, 2]);
    const one = (op: string, attrs: A = {}) => Array.from(referenceNode(node(op, 1, attrs), [x])[0]!.data);
    expect(one('Shrink', { lambd: f(1), bias: f(0.5) })).toEqual([-1.5, 0, 0, 1.5]);
    expect(one('ThresholdedRelu', { alpha: f(0.5) })).toEqual([0, 0, 0, 2]);
    expect(one('Celu', { alpha: f(2) })[0]).toBeCloseTo(2 * (Math.exp(-1) - 1), 6);
  });

  it('Shrink on int32 truncates bias and keeps the dtype', async () => {
    const r = rng(seed + 99);
    const x = hostTensor('int32', [20], Array.from({ length: 20 }, () => Math.floor((r() - 0.5) * 10)));
    const [y] = await gpuMatchesRef(node('Shrink', 1, { lambd: f(1.5), bias: f(1.7) }), [x]);
    expect(y!.dtype).toBe('int32');
  });
});
