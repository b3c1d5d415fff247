/**
 * The inverse trigonometric and hyperbolic ops (Acos, Asin, Atan, Tan, Acosh, Asinh, Atanh, Cosh, Sinh):
 * GPU kernel vs CPU reference on seeded random inputs drawn from each function's domain. One table,
 * not a file per op: they take no attributes and differ only in domain and tolerance.
 */
import { describe, it } from 'vitest';
import { hostTensor } from '../../../src/ir/types.js';
import { rng, testSeed } from '../../helpers/random.js';
import { gpuMatchesRef, node, type A } from '../helpers.js';

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
];

describe(`inverse trigonometric and hyperbolic ops (seed ${seed})`, () => {
  UNARY.forEach(([op, attrs, gen, rtol], k) => {
    it(`${op} ${JSON.stringify(attrs)}`, async () => {
      const r = rng(seed + k);
      const shape = [3, 5, 7];
      const x = hostTensor('float32', shape, Array.from({ length: 105 }, () => gen(r)));
      await gpuMatchesRef(node(op, 1, attrs), [x], { rtol: rtol ?? 2e-4, atol: 2e-6 });
    });
  });
});
