import { describe, it } from 'vitest';
import { check, node, rand } from './helpers.js';
import { rng, testSeed } from '../../helpers/random.js';

describe('GlobalAveragePool', () => {
  const seed = testSeed();
  for (const shape of [[1, 5, 7, 7], [2, 3, 33, 40], [1, 4, 9], [1, 2, 3, 4, 5]]) {
    it(`GlobalAveragePool [${shape}]`, async () => { await check(node('GlobalAveragePool', 1, {}), [rand(rng(seed), shape)], seed, 1e-5); });
  }
});
