/** LRN, MeanVarianceNormalization and the deprecated Scatter: GPU vs CPU reference on seeded random inputs. */
import { describe, it, expect } from 'vitest';
import { hostTensor } from '../../../src/ir/types.js';
import { referenceNode } from '../../../src/runtime/single.js';
import { rng, randn, randInt, testSeed } from '../../helpers/random.js';
import { f, i, ints, gpuMatchesRef, node } from '../helpers.js';

const seed = testSeed();
const r = rng(seed);
const rand = (shape: number[]) => hostTensor('float32', shape, randn(r, shape.reduce((a, b) => a * b, 1)));

describe(`LRN / MVN / Scatter (seed ${seed})`, () => {
  it('LRN, odd and even sizes, rank 3 and 4', async () => {
    for (const [size, shape] of [[3, [2, 5, 3, 3]], [2, [1, 6, 4]], [5, [1, 3, 2, 2]], [1, [2, 4, 3]]] as const) {
      await gpuMatchesRef(node('LRN', 1, { size: i(size), alpha: f(0.02), beta: f(0.6), bias: f(1.5) }), [rand([...shape])]);
    }
    // One channel, size 1: y = x / (bias + alpha x²)^beta.
    const [y] = referenceNode(node('LRN', 1, { size: i(1), alpha: f(1), beta: f(1), bias: f(1) }), [hostTensor('float32', [1, 1, 1], [2])]);
    expect(y!.data[0]).toBeCloseTo(2 / 5, 6);
  });
  it('MeanVarianceNormalization, default and custom axes', async () => {
    const x = rand([2, 3, 4, 5]);
    for (const axes of [null, [1], [0, 3], [-1, -2], [0, 1, 2, 3]]) {
      await gpuMatchesRef(node('MeanVarianceNormalization', 1, axes ? { axes: ints(axes) } : {}), [x], { opset: 13, rtol: 2e-4, atol: 2e-5 });
    }
    const [y] = referenceNode(node('MeanVarianceNormalization', 1, { axes: ints([0]) }), [hostTensor('float32', [2], [1, 3])], 13);
    expect(Array.from(y!.data).map((v) => +v.toFixed(6))).toEqual([-1, 1]);
  });
  it('Scatter (opset 9/10) equals ScatterElements without reduction', async () => {
    const data = rand([3, 4]), idx = hostTensor('int64', [2, 4], randInt(r, 8, -3, 2)), upd = rand([2, 4]);
    const [a] = await gpuMatchesRef(node('Scatter', 3, { axis: i(0) }), [data, idx, upd], { opset: 10 });
    const [b] = referenceNode(node('ScatterElements', 3, { axis: i(0) }), [data, idx, upd], 11);
    expect(Array.from(a!.data)).toEqual(Array.from(b!.data));
  });
});
