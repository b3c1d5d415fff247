/** The deprecated Scatter (opset 9/10): GPU vs CPU reference, and equal to ScatterElements. */
import { describe, it, expect } from 'vitest';
import { hostTensor } from '../../../src/ir/types.js';
import { referenceNode } from '../../../src/runtime/single.js';
import { rng, randn, randInt, testSeed } from '../../helpers/random.js';
import { i, gpuMatchesRef, node } from '../helpers.js';

const seed = testSeed();
const r = rng(seed);
const rand = (shape: number[]) => hostTensor('float32', shape, randn(r, shape.reduce((a, b) => a * b, 1)));

describe(`Scatter (seed ${seed})`, () => {
  it('Scatter (opset 9/10) equals ScatterElements without reduction', async () => {
    const data = rand([3, 4]), idx = hostTensor('int64', [2, 4], randInt(r, 8, -3, 2)), upd = rand([2, 4]);
    const [a] = await gpuMatchesRef(node('Scatter', 3, { axis: i(0) }), [data, idx, upd], { opset: 10 });
    const [b] = referenceNode(node('ScatterElements', 3, { axis: i(0) }), [data, idx, upd], 11);
    expect(Array.from(a!.data)).toEqual(Array.from(b!.data));
  });
});
