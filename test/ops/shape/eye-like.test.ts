/** EyeLike: GPU vs CPU reference with k and dtype. */
import { describe, it, expect } from 'vitest';
import { rng, testSeed, randomTensors } from '../../helpers/random.js';
import { i, gpuMatchesRef, node } from '../helpers.js';

const seed = testSeed();
const r = rng(seed);
const rand = randomTensors(r);

describe(`EyeLike (seed ${seed})`, () => {
  it('EyeLike with k and dtype', async () => {
    for (const [k, dtype] of [[0, null], [2, 6], [-1, 1], [7, 9]] as const) {
      const attrs = { k: i(k), ...(dtype !== null ? { dtype: i(dtype) } : {}) };
      const [y] = await gpuMatchesRef(node('EyeLike', 1, attrs), [rand([4, 5])]);
      if (k === 2) expect(Array.from(y!.data.slice(0, 5))).toEqual([0, 0, 1, 0, 0]);
    }
  });
});
