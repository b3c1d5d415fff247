/** GatherND: GPU vs CPU reference on seeded random indices, plus the spec example that pins the reference. */
import { describe, it, expect } from 'vitest';
import { hostTensor } from '../../../src/ir/types.js';
import { referenceNode } from '../../../src/runtime/single.js';
import { rng, randInt, testSeed, randomTensors } from '../../helpers/random.js';
import { i, i64, gpuMatchesRef, node } from '../helpers.js';

const seed = testSeed();
const r = rng(seed);
const rand = randomTensors(r);

describe(`GatherND (seed ${seed})`, () => {
  it('GatherND, batch_dims 0 and 1, negative indices, spec example', async () => {
    const data = rand([3, 4, 5]);
    const idx = i64([2, 2], [2, -1, 0, 1]);
    await gpuMatchesRef(node('GatherND', 2), [data, idx]);
    await gpuMatchesRef(node('GatherND', 2), [data, i64([2, 3, 1], randInt(r, 6, -3, 2))]);
    await gpuMatchesRef(node('GatherND', 2), [data, i64([2, 2, 3], [0, 1, 2, 1, 2, 3, 2, 3, 4, 0, 0, 0])]);
    await gpuMatchesRef(node('GatherND', 2, { batch_dims: i(1) }), [data, i64([3, 2, 1], randInt(r, 6, -4, 3))]);
    const [y] = referenceNode(node('GatherND', 2), [hostTensor('int32', [2, 2], [0, 1, 2, 3]), i64([2, 1], [1, 0])]);
    expect(Array.from(y!.data)).toEqual([2, 3, 0, 1]);
  });
});
