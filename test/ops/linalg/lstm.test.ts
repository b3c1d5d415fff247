/** LSTM: GPU vs CPU reference over directions, layouts, optional inputs and activations. */
import { describe, it } from 'vitest';
import { hostTensor } from '../../../src/ir/types.js';
import { check, f, i, node, rand, s, strs, optionalNames, RNN_OPTS } from './util.js';

function lstmInputs(S: number, B: number, I: number, H: number, D: number, layout: number, opt: { b?: boolean; h0?: boolean; c0?: boolean; p?: boolean }) {
  const st = layout ? [B, D, H] : [D, B, H];
  return [
    rand(layout ? [B, S, I] : [S, B, I]), rand([D, 4 * H, I], 0.3), rand([D, 4 * H, H], 0.3),
    opt.b ? rand([D, 8 * H], 0.3) : null, null, opt.h0 ? rand(st) : null, opt.c0 ? rand(st) : null, opt.p ? rand([D, 3 * H], 0.3) : null,
  ];
}
describe('LSTM', () => {
  for (const direction of ['forward', 'reverse', 'bidirectional']) for (const layout of [0, 1]) {
    it(`${direction}, layout ${layout}, all optional inputs`, async () => {
      const D = direction === 'bidirectional' ? 2 : 1;
      const ins = lstmInputs(5, 3, 7, 13, D, layout, { b: true, h0: true, c0: true, p: true });
      await check(node('LSTM', optionalNames(ins), { hidden_size: i(13), direction: s(direction), layout: i(layout) }, ['y', 'yh', 'yc']), ins, RNN_OPTS);
    });
  }
  it('no optional inputs, H > 64 (threads loop over units), only Y_h requested', async () => {
    const ins = lstmInputs(3, 1, 5, 70, 1, 0, {});
    await check(node('LSTM', optionalNames(ins), { hidden_size: i(70) }, ['', 'yh']), ins, RNN_OPTS);
  });
  it('clip and Relu activations, even sequence length', async () => {
    const ins = lstmInputs(4, 2, 6, 9, 1, 0, { b: true });
    await check(node('LSTM', optionalNames(ins), { hidden_size: i(9), clip: f(0.5), activations: strs(['Sigmoid', 'Relu', 'Tanh']) }, ['y', 'yh', 'yc']), ins, RNN_OPTS);
  });
  it('sequence_lens equal to the sequence length is accepted', async () => {
    const ins = lstmInputs(4, 2, 6, 9, 1, 0, { b: true });
    ins[4] = hostTensor('int32', [2], [4, 4]);
    await check(node('LSTM', optionalNames(ins), { hidden_size: i(9) }, ['y', 'yh', 'yc']), ins, RNN_OPTS);
  });
});
