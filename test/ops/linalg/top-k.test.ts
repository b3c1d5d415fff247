/** TopK: GPU vs CPU reference on seeded random inputs, ties, int32, the opset 1 attribute. */
import { describe, it, expect } from 'vitest';
import { hostTensor } from '../../../src/ir/types.js';
import { referenceNode } from '../../../src/runtime/single.js';
import { rng, randn, randInt, testSeed } from '../../helpers/random.js';
import { i, gpuMatchesRef, node } from '../helpers.js';

const seed = testSeed();
const r = rng(seed);
const rand = (shape: number[]) => hostTensor('float32', shape, randn(r, shape.reduce((a, b) => a * b, 1)));
const k = (v: number) => hostTensor('int64', [1], [v]);

describe(`TopK (seed ${seed})`, () => {
  it('axes, largest/smallest, k = 1..n', async () => {
    const x = rand([3, 5, 4]);
    for (const [axis, kk, largest] of [[-1, 2, 1], [1, 5, 0], [0, 1, 1], [1, 3, 1], [2, 4, 0]] as const) {
      await gpuMatchesRef(node('TopK', 2, { axis: i(axis), largest: i(largest) }, 2), [x, k(kk)], { opset: 11, constants: [1] });
    }
  });
  it('ties keep the lower index first; int32 input; opset 1 attribute', async () => {
    const x = hostTensor('int32', [2, 6], randInt(r, 12, -2, 2));
    const [v, ix] = await gpuMatchesRef(node('TopK', 2, {}, 2), [x, k(4)], { opset: 11, constants: [1] });
    for (let row = 0; row < 2; row++) for (let j = 1; j < 4; j++) {
      const a = v!.data[row * 4 + j - 1]!, b = v!.data[row * 4 + j]!;
      expect(a > b || (a === b && ix!.data[row * 4 + j - 1]! < ix!.data[row * 4 + j]!)).toBe(true);
    }
    await gpuMatchesRef(node('TopK', 1, { k: i(3), axis: i(0) }, 2), [rand([4, 3])], { opset: 9 });
    const [vals, idx] = referenceNode(node('TopK', 2, { largest: i(0) }, 2), [hostTensor('float32', [5], [3, 1, 2, 1, 0]), k(3)], 11);
    expect([Array.from(vals!.data), Array.from(idx!.data)]).toEqual([[0, 1, 1], [4, 1, 3]]);
  });
});
