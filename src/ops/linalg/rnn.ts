/**
 * RNN — https://onnx.ai/onnx/operators/onnx__RNN.html
 * The simple (Elman) recurrent cell: H_t = f(X_t·Wᵀ + H_{t-1}·Rᵀ + Wb + Rb), W [D, H, I], R [D, H, H],
 * B [D, 2H] = Wb‖Rb. forward / reverse / bidirectional; `layout` (opset ≥ 14); activations
 * Tanh (default) / Relu / Sigmoid, one per direction; clip. sequence_lens must be constant and, on
 * the GPU, equal to the sequence length. Outputs Y, Y_h.
 */
import type { HostTensor } from '../../ir/types.js';
import type { OpDef } from '../types.js';
import { actRef, dotRow, referenceSetup, rnnOp, type RnnAttrs } from './rnn-common.js';

export const RNN: OpDef<RnnAttrs> = rnnOp('RNN', 'rnn', (inputs, a, ctx): HostTensor[] => {
  const { d, lens, ix, outs, clip } = referenceSetup(a, ctx);
  const { S, B, I, D, H } = d;
  const [x, w, r, bias, , h0] = inputs;
  for (let dir = 0; dir < D; dir++) {
    const f = a.acts[dir]!;
    for (let b = 0; b < B; b++) {
      let h = new Float64Array(H);
      for (let j = 0; j < H; j++) h[j] = h0 ? h0.data[ix.st(dir, b, j)]! : 0;
      const xrow = new Float64Array(I);
      // Steps past a batch entry's sequence_lens leave Y at zero and Y_h at the last valid state.
      for (let step = 0; step < lens[b]!; step++) {
        const t = a.dirs[dir] === 'rev' ? lens[b]! - 1 - step : step;
        for (let k = 0; k < I; k++) xrow[k] = x!.data[ix.x(t, b, k)]!;
        const hn = new Float64Array(H);
        for (let j = 0; j < H; j++) {
          const pre = dotRow(w!.data, dir * H * I, j, I, xrow) + dotRow(r!.data, dir * H * H, j, H, h)
            + (bias ? bias.data[dir * 2 * H + j]! + bias.data[dir * 2 * H + H + j]! : 0);
          hn[j] = actRef(f, clip(pre));
        }
        h = hn;
        for (let j = 0; j < H; j++) outs[0]!.data[ix.y(t, dir, b, j)] = h[j]!;
      }
      if (outs[1]) for (let j = 0; j < H; j++) outs[1].data[ix.st(dir, b, j)] = h[j]!;
    }
  }
  return outs;
});
