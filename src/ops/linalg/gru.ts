/**
 * GRU — https://onnx.ai/onnx/operators/onnx__GRU.html
 * Gates z, r, h (W [D, 3H, I], R [D, 3H, H], B [D, 6H] = Wb‖Rb); linear_before_reset applies r
 * after the recurrent matvec (opset ≥ 3). forward / reverse / bidirectional; `layout` (opset ≥ 14);
 * activations Sigmoid/Tanh/Relu; clip. sequence_lens must be constant and, on the GPU, equal to
 * the sequence length. Outputs Y, Y_h.
 */
import type { HostTensor } from '../../ir/types.js';
import type { OpDef } from '../types.js';
import { actRef, dotRow, referenceSetup, rnnOp, type RnnAttrs } from './rnn-common.js';

export const GRU: OpDef<RnnAttrs> = rnnOp('GRU', 'gru', (inputs, a, ctx): HostTensor[] => {
  const { d, lens, ix, outs, clip } = referenceSetup(a, ctx);
  const { S, B, I, D, H } = d;
  const [x, w, r, bias, , h0] = inputs;
  const wb = (g: number, j: number, dir: number) => (bias ? bias.data[dir * 6 * H + g * H + j]! : 0);
  const rb = (g: number, j: number, dir: number) => (bias ? bias.data[dir * 6 * H + (3 + g) * H + j]! : 0);
  for (let dir = 0; dir < D; dir++) {
    const [f, g] = a.acts.slice(dir * 2, dir * 2 + 2) as [string, string];
    for (let b = 0; b < B; b++) {
      const h = new Float64Array(H);
      for (let j = 0; j < H; j++) h[j] = h0 ? h0.data[ix.st(dir, b, j)]! : 0;
      const xrow = new Float64Array(I);
      for (let step = 0; step < lens[b]!; step++) {
        const t = a.dirs[dir] === 'rev' ? lens[b]! - 1 - step : step;
        for (let k = 0; k < I; k++) xrow[k] = x!.data[ix.x(t, b, k)]!;
        const xw = (gate: number, j: number) => dotRow(w!.data, dir * 3 * H * I, gate * H + j, I, xrow);
        const hr = (gate: number, j: number, v: ArrayLike<number>) => dotRow(r!.data, dir * 3 * H * H, gate * H + j, H, v);
        const z = new Float64Array(H), rg = new Float64Array(H);
        for (let j = 0; j < H; j++) {
          z[j] = actRef(f, clip(xw(0, j) + hr(0, j, h) + wb(0, j, dir) + rb(0, j, dir)));
          rg[j] = actRef(f, clip(xw(1, j) + hr(1, j, h) + wb(1, j, dir) + rb(1, j, dir)));
        }
        const rh = h.map((v, j) => v * rg[j]!);
        const hn = new Float64Array(H);
        for (let j = 0; j < H; j++) {
          const cand = a.linearBeforeReset
            ? xw(2, j) + rg[j]! * (hr(2, j, h) + rb(2, j, dir)) + wb(2, j, dir)
            : xw(2, j) + hr(2, j, rh) + rb(2, j, dir) + wb(2, j, dir);
          const hh = actRef(g, clip(cand));
          hn[j] = (1 - z[j]!) * hh + z[j]! * h[j]!;
        }
        h.set(hn);
        for (let j = 0; j < H; j++) outs[0]!.data[ix.y(t, dir, b, j)] = h[j]!;
      }
      if (outs[1]) for (let j = 0; j < H; j++) outs[1].data[ix.st(dir, b, j)] = h[j]!;
    }
  }
  return outs;
});
