/** ScatterElements: GPU vs CPU reference with every reduction and duplicate indices, plus a hand-checked case. */
import { describe, it, expect } from 'vitest';
import { hostTensor } from '../../../src/ir/types.js';
import { referenceNode } from '../../../src/runtime/single.js';
import { rng, randInt, testSeed, randomTensors } from '../../helpers/random.js';
import { i, str, i64, gpuMatchesRef, node } from '../helpers.js';

const seed = testSeed();
const r = rng(seed);
const rand = randomTensors(r);

describe(`ScatterElements (seed ${seed})`, () => {
  it('ScatterElements: axes, reductions, duplicate and negative indices', async () => {
    const data = rand([4, 5]);
    const idx = i64([3, 5], randInt(r, 15, -4, 3));
    idx.data[0] = 2; idx.data[5] = 2; idx.data[10] = -2; // three writes to one cell
    const upd = rand([3, 5]);
    for (const reduction of ['none', 'add', 'mul', 'max', 'min']) {
      await gpuMatchesRef(node('ScatterElements', 3, { axis: i(0), reduction: str(reduction) }), [data, idx, upd], { opset: 18 });
    }
    const idx1 = i64([2, 3], randInt(r, 6, -5, 4));
    await gpuMatchesRef(node('ScatterElements', 3, { axis: i(-1), reduction: str('add') }), [data, idx1, rand([2, 3])], { opset: 16 });
    const [y] = referenceNode(node('ScatterElements', 3, { axis: i(1), reduction: str('add') }),
      [hostTensor('float32', [1, 5], [1, 2, 3, 4, 5]), i64([1, 2], [1, 1]), hostTensor('float32', [1, 2], [1.1, 2.1])], 16);
    expect(Array.from(y!.data).map((v) => +v.toFixed(4))).toEqual([1, 5.2, 3, 4, 5]);
    expect(() => referenceNode(node('ScatterElements', 3, { reduction: str('max') }), [data, idx, upd], 16)).toThrow(/not defined at opset 16/);
  });
});
