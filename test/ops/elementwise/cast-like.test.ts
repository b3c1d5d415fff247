/** CastLike: GPU vs CPU reference, and the same values as Cast to the target dtype. */
import { describe, it, expect } from 'vitest';
import { hostTensor } from '../../../src/ir/types.js';
import { referenceNode } from '../../../src/runtime/single.js';
import { rng, testSeed, randomTensors } from '../../helpers/random.js';
import { i, gpuMatchesRef, node } from '../helpers.js';

const seed = testSeed();
const r = rng(seed);
const rand = randomTensors(r);

describe(`CastLike (seed ${seed})`, () => {
  it('CastLike float → int32 / float16 / bool follows Cast', async () => {
    const x = rand([4, 6], 50);
    for (const like of [hostTensor('int32', [1]), hostTensor('float16', [2, 2]), hostTensor('bool', [1]), hostTensor('uint8', [3])]) {
      const [y] = await gpuMatchesRef(node('CastLike', 2), [x, like]);
      expect(y!.dtype).toBe(like.dtype);
      const [c] = referenceNode(node('Cast', 1, { to: i({ int32: 6, float16: 10, bool: 9, uint8: 2 }[like.dtype as 'int32']!) }), [x]);
      expect(Array.from(y!.data)).toEqual(Array.from(c!.data));
    }
  });
});
