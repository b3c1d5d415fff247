import { describe, it } from 'vitest';
import { hostTensor } from '../../../src/ir/types.js';
import { check, f, i, node, rand, s, strs } from './util.js';

const O = { opset: 14, rtol: 1e-4, atol: 1e-5 };

function lstmInputs(S: number, B: number, I: number, H: number, D: number, layout: number, opt: { b?: boolean; h0?: boolean; c0?: boolean; p?: boolean }) {
  const st = layout ? [B, D, H] : [D, B, H];
  return [
    rand(layout ? [B, S, I] : [S, B, I]), rand([D, 4 * H, I], 0.3), rand([D, 4 * H, H], 0.3),
    opt.b ? rand([D, 8 * H], 0.3) : null, null, opt.h0 ? rand(st) : null, opt.c0 ? rand(st) : null, opt.p ? rand([D, 3 * H], 0.3) : null,
  ];
}
const names = (ins: unknown[]) => ins.map((t, k) => (t ? `x${k}` : ''));

describe('LSTM', () => {
  for (const direction of ['forward', 'reverse', 'bidirectional']) for (const layout of [0, 1]) {
    it(`${direction}, layout ${layout}, all optional inputs`, async () => {
      const D = direction === 'bidirectional' ? 2 : 1;
      const ins = lstmInputs(5, 3, 7, 13, D, layout, { b: true, h0: true, c0: true, p: true });
      await check(node('LSTM', names(ins), { hidden_size: i(13), direction: s(direction), layout: i(layout) }, ['y', 'yh', 'yc']), ins, O);
    });
  }
  it('no optional inputs, H > 64 (threads loop over units), only Y_h requested', async () => {
    const ins = lstmInputs(3, 1, 5, 70, 1, 0, {});
    await check(node('LSTM', names(ins), { hidden_size: i(70) }, ['', 'yh']), ins, O);
  });
  it('clip and Relu activations, even sequence length', async () => {
    const ins = lstmInputs(4, 2, 6, 9, 1, 0, { b: true });
    await check(node('LSTM', names(ins), { hidden_size: i(9), clip: f(0.5), activations: strs(['Sigmoid', 'Relu', 'Tanh']) }, ['y', 'yh', 'yc']), ins, O);
  });
  it('sequence_lens equal to the sequence length is accepted', async () => {
    const ins = lstmInputs(4, 2, 6, 9, 1, 0, { b: true });
    ins[4] = hostTensor('int32', [2], [4, 4]);
    await check(node('LSTM', names(ins), { hidden_size: i(9) }, ['y', 'yh', 'yc']), ins, O);
  });
});

describe('GRU', () => {
  for (const direction of ['forward', 'reverse', 'bidirectional']) for (const lbr of [0, 1]) {
    it(`${direction}, linear_before_reset ${lbr}`, async () => {
      const D = direction === 'bidirectional' ? 2 : 1, S = 6, B = 2, I = 5, H = 11;
      const layout = lbr; // cover both layouts across the matrix
      const ins = [rand(layout ? [B, S, I] : [S, B, I]), rand([D, 3 * H, I], 0.4), rand([D, 3 * H, H], 0.4), rand([D, 6 * H], 0.3), null, rand(layout ? [B, D, H] : [D, B, H])];
      await check(node('GRU', names(ins), { hidden_size: i(H), direction: s(direction), linear_before_reset: i(lbr), layout: i(layout) }, ['y', 'yh']), ins, O);
    });
  }
  it('no bias or initial state, H = 67', async () => {
    const ins = [rand([3, 1, 4]), rand([1, 201, 4], 0.3), rand([1, 201, 67], 0.2)];
    await check(node('GRU', 3, { hidden_size: i(67) }, ['y', 'yh']), ins, O);
  });
});
