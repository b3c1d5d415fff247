/** GRU: GPU vs CPU reference over directions, linear_before_reset and layouts, with and without optional inputs. */
import { describe, it } from 'vitest';
import { check, i, node, rand, s, optionalNames, RNN_OPTS } from './util.js';

describe('GRU', () => {
  for (const direction of ['forward', 'reverse', 'bidirectional']) for (const lbr of [0, 1]) {
    it(`${direction}, linear_before_reset ${lbr}`, async () => {
      const D = direction === 'bidirectional' ? 2 : 1, S = 6, B = 2, I = 5, H = 11;
      const layout = lbr; // cover both layouts across the matrix
      const ins = [rand(layout ? [B, S, I] : [S, B, I]), rand([D, 3 * H, I], 0.4), rand([D, 3 * H, H], 0.4), rand([D, 6 * H], 0.3), null, rand(layout ? [B, D, H] : [D, B, H])];
      await check(node('GRU', optionalNames(ins), { hidden_size: i(H), direction: s(direction), linear_before_reset: i(lbr), layout: i(layout) }, ['y', 'yh']), ins, RNN_OPTS);
    });
  }
  it('no bias or initial state, H = 67', async () => {
    const ins = [rand([3, 1, 4]), rand([1, 201, 4], 0.3), rand([1, 201, 67], 0.2)];
    await check(node('GRU', 3, { hidden_size: i(67) }, ['y', 'yh']), ins, RNN_OPTS);
  });
});
