import { describe, it } from 'vitest';
import { checkPool, poolCases } from './helpers.js';
import { testSeed } from '../../helpers/random.js';

describe('AveragePool', () => {
  const seed = testSeed();
  poolCases.forEach(([name, shape, a], i) => {
    for (const cip of [0, 1]) {
      it(`AveragePool ${name}${cip ? ' count_include_pad' : ''}`, async () => {
        await checkPool('AveragePool', { ...a, count_include_pad: cip }, shape, name, seed + i);
      });
    }
  });
});
