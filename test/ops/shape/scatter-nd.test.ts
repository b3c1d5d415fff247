/** ScatterND: GPU vs CPU reference with every reduction and duplicate tuples, plus a hand-checked case. */
import { describe, it, expect } from 'vitest';
import { hostTensor } from '../../../src/ir/types.js';
import { referenceNode } from '../../../src/runtime/single.js';
import { rng, testSeed, randomTensors } from '../../helpers/random.js';
import { str, i64, gpuMatchesRef, node } from '../helpers.js';

const seed = testSeed();
const r = rng(seed);
const rand = randomTensors(r);

describe(`ScatterND (seed ${seed})`, () => {
  it('ScatterND: slices and elements, reductions with duplicate tuples', async () => {
    const data = rand([4, 3, 2]);
    for (const reduction of ['none', 'add', 'mul', 'max', 'min']) {
      await gpuMatchesRef(node('ScatterND', 3, { reduction: str(reduction) }), [data, i64([3, 1], [1, -1, 1]), rand([3, 3, 2])], { opset: 18 });
      await gpuMatchesRef(node('ScatterND', 3, { reduction: str(reduction) }), [data, i64([2, 2, 3], [0, 0, 0, 3, 2, 1, 0, 0, 0, -1, 1, 0]), rand([2, 2])], { opset: 18 });
    }
    const [y] = referenceNode(node('ScatterND', 3, { reduction: str('mul') }),
      [hostTensor('float32', [4], [1, 2, 3, 4]), i64([3, 1], [1, 1, 3]), hostTensor('float32', [3], [2, 5, 3])], 16);
    expect(Array.from(y!.data)).toEqual([1, 20, 3, 12]);
  });
});
