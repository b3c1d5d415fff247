/**
 * ReverseSequence — https://onnx.ai/onnx/operators/onnx__ReverseSequence.html
 * Opset 10+. For each batch entry b, the first sequence_lens[b] steps along `time_axis` are reversed
 * and the rest copied; `batch_axis` and `time_axis` are 0 and 1 in either order (defaults 1 and 0).
 * sequence_lens (int64, [batch]) may be computed at run time: the kernel reads it. A length past the
 * time dim is clamped to it on the GPU and refused by the reference.
 */
import { signature, type Word } from '../../gpu/signature.js';
import { shapeSize, type HostTensor } from '../../ir/types.js';
import { declaredKernel, type InferContext, type OpDef } from '../types.js';
import { linearIndex, perItemMain } from '../wgsl-common.js';
import { expectInputs } from '../arity.js';
import { emptyLike, grid, WG, wordType } from './common.js';

interface A { batchAxis: number; timeAxis: number }

const sig = (w: Word) => signature({
  params: { n: 'u32', d1: 'u32', inner: 'u32', time0: 'u32', T: 'u32' },
  buffers: [{ name: 'X', elem: w }, { name: 'L', elem: 'i32' }, { name: 'Y', elem: w, writes: true }],
});

function check(ctx: InferContext, a: A): void {
  const [x, lens] = [ctx.inputs[0]!, ctx.inputs[1]!];
  if (x.shape.length < 2) throw ctx.error(`input has rank ${x.shape.length}`, 'ReverseSequence needs a batch and a time axis');
  if (![0, 1].includes(a.batchAxis) || ![0, 1].includes(a.timeAxis) || a.batchAxis === a.timeAxis) throw ctx.error(`batch_axis ${a.batchAxis} and time_axis ${a.timeAxis} must be 0 and 1`, 'one of them 0, the other 1', { batchAxis: a.batchAxis, timeAxis: a.timeAxis });
  if (x.dtype === 'string') throw ctx.error('string tensors are not supported', 'wgml stores numbers only');
  if (lens.dtype !== 'int64' && lens.dtype !== 'int32') throw ctx.error(`sequence_lens are ${lens.dtype}`, 'sequence_lens are int64');
  if (lens.shape.join() !== String(x.shape[a.batchAxis])) throw ctx.error(`sequence_lens [${lens.shape.join(', ')}] must be [${x.shape[a.batchAxis]}], one length per batch entry`, 'give a length for each batch entry', { lens: lens.shape });
}

export const ReverseSequence: OpDef<A> = {
  type: 'ReverseSequence', opsets: [10, 99],
  attrs: (a) => ({ batchAxis: a.int('batch_axis', 1), timeAxis: a.int('time_axis', 0) }),
  infer(ctx, a) {
    expectInputs(ctx, 2, 2);
    check(ctx, a);
    return [{ dtype: ctx.inputs[0]!.dtype, shape: [...ctx.inputs[0]!.shape] }];
  },
  reference([x, lens], a, ctx): HostTensor[] {
    const [d0, d1] = x!.shape as [number, number];
    const inner = shapeSize(x!.shape.slice(2)), T = x!.shape[a.timeAxis]!;
    const y = emptyLike(x!.dtype, x!.shape);
    for (let i0 = 0; i0 < d0; i0++) for (let i1 = 0; i1 < d1; i1++) {
      const [t, b] = a.timeAxis === 0 ? [i0, i1] : [i1, i0];
      const len = Number(lens!.data[b]);
      if (len < 0 || len > T) throw ctx.error(`sequence_lens[${b}] = ${len} is outside 0..${T}`, 'lengths count steps along time_axis', { batch: b, length: len });
      const st = t < len ? len - 1 - t : t;
      const [s0, s1] = a.timeAxis === 0 ? [st, b] : [b, st];
      for (let r = 0; r < inner; r++) y.data[(i0 * d1 + i1) * inner + r] = x!.data[(s0 * d1 + s1) * inner + r]!;
    }
    return [y];
  },
  gpu(ctx, a) {
    const x = ctx.inputs[0]!;
    const n = shapeSize(x.shape);
    if (!n) return { kernels: [] };
    const w = wordType(x.dtype);
    return { kernels: [declaredKernel({
      name: 'reverse_sequence', key: `reverse_sequence_${w}`, sig: sig(w), args: [{ input: 0 }, { input: 1 }, { output: 0 }], workgroups: grid(ctx, n),
      params: { n, d1: x.shape[1]!, inner: shapeSize(x.shape.slice(2)), time0: a.timeAxis === 0 ? 1 : 0, T: x.shape[a.timeAxis]! },
      source: () => ({
        requires: [linearIndex(WG)],
        body: perItemMain(WG, 'i', 'P.n', `  let r = i % P.inner; let i1 = (i / P.inner) % P.d1; let i0 = i / (P.inner * P.d1);
  let t = select(i1, i0, P.time0 == 1u); let b = select(i0, i1, P.time0 == 1u);
  let len = u32(clamp(L_ld(b), 0, i32(P.T)));
  let st = select(t, len - 1u - t, t < len);
  let s0 = select(b, st, P.time0 == 1u); let s1 = select(st, b, P.time0 == 1u);
  Y_st(i, X_ld((s0 * P.d1 + s1) * P.inner + r));`),
      }),
    })] };
  },
};
