/**
 * LSTM — https://onnx.ai/onnx/operators/onnx__LSTM.html
 * Gates i, o, f, c (W [D, 4H, I], R [D, 4H, H], B [D, 8H] = Wb‖Rb, peepholes P [D, 3H] = i, o, f).
 * forward / reverse / bidirectional; `layout` (opset ≥ 14) 1 = batch-major X, Y, states;
 * activations Sigmoid/Tanh/Relu; clip; input_forget=1 refused. sequence_lens must be constant
 * (constInputs) and, on the GPU, equal to the sequence length. Outputs Y, Y_h, Y_c.
 */
import type { HostTensor } from '../../ir/types.js';
import type { OpDef } from '../types.js';
import { actRef, dotRow, referenceSetup, rnnOp, type RnnAttrs } from './rnn-common.js';

export const LSTM: OpDef<RnnAttrs> = rnnOp('LSTM', 'lstm', (inputs, a, ctx): HostTensor[] => {
  const { d, lens, ix, outs, clip } = referenceSetup(a, ctx);
  const { S, B, I, D, H } = d;
  const [x, w, r, bias, , h0, c0, p] = inputs;
  for (let dir = 0; dir < D; dir++) {
    const [f, g, hAct] = a.acts.slice(dir * 3, dir * 3 + 3) as [string, string, string];
    for (let b = 0; b < B; b++) {
      const h = new Float64Array(H), c = new Float64Array(H);
      for (let j = 0; j < H; j++) { h[j] = h0 ? h0.data[ix.st(dir, b, j)]! : 0; c[j] = c0 ? c0.data[ix.st(dir, b, j)]! : 0; }
      const xrow = new Float64Array(I);
      for (let step = 0; step < lens[b]!; step++) {
        const t = a.dirs[dir] === 'rev' ? lens[b]! - 1 - step : step;
        for (let k = 0; k < I; k++) xrow[k] = x!.data[ix.x(t, b, k)]!;
        const pre = (gate: number, j: number) => dotRow(w!.data, dir * 4 * H * I, gate * H + j, I, xrow) + dotRow(r!.data, dir * 4 * H * H, gate * H + j, H, h)
          + (bias ? bias.data[dir * 8 * H + gate * H + j]! + bias.data[dir * 8 * H + (4 + gate) * H + j]! : 0);
        const peep = (k: number, j: number) => (p ? p.data[dir * 3 * H + k * H + j]! : 0);
        const hn = new Float64Array(H);
        for (let j = 0; j < H; j++) {
          const it = actRef(f, clip(pre(0, j) + peep(0, j) * c[j]!));
          const ft = actRef(f, clip(pre(2, j) + peep(2, j) * c[j]!));
          const ct = actRef(g, clip(pre(3, j)));
          c[j] = ft * c[j]! + it * ct;
          const ot = actRef(f, clip(pre(1, j) + peep(1, j) * c[j]!));
          hn[j] = ot * actRef(hAct, c[j]!);
        }
        h.set(hn);
        for (let j = 0; j < H; j++) outs[0]!.data[ix.y(t, dir, b, j)] = h[j]!;
      }
      for (let j = 0; j < H; j++) {
        if (outs[1]) outs[1].data[ix.st(dir, b, j)] = h[j]!;
        if (outs[2]) outs[2].data[ix.st(dir, b, j)] = c[j]!;
      }
    }
  }
  return outs;
});
