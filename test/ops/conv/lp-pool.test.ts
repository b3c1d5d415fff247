import { describe, it } from 'vitest';
import { checkPool, poolCases } from './helpers.js';
import { testSeed } from '../../helpers/random.js';

describe('LpPool', () => {
  const seed = testSeed();
  poolCases.forEach(([name, shape, a], i) => {
    for (const p of [1, 2, 3]) {
      it(`LpPool ${name} p=${p}`, async () => {
        await checkPool('LpPool', { ...a, p }, shape, name, seed + i);
      });
    }
  });
});
