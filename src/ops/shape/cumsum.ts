/**
 * CumSum — https://onnx.ai/onnx/operators/onnx__CumSum.html (opset 11)
 * Running sum along `axis` (input 1, a compile-time constant here), optionally `exclusive` and/or
 * `reverse`. One thread per element sums its prefix in order, so f32 results match a sequential sum.
 */
import { signature, type Word } from '../../gpu/signature.js';
import { shapeSize } from '../../ir/types.js';
import { declaredKernel, type InferContext, type OpDef } from '../types.js';
import { linearIndex, perItemMain } from '../wgsl-common.js';
import { constInts, emptyLike, grid, WG, wordType } from './common.js';
import { normAxis } from '../../ir/axis.js';

interface A { exclusive: boolean; reverse: boolean }

const sig = (w: Word) => signature({
  params: { n: 'u32', d: 'u32', inner: 'u32', exclusive: 'u32', reverse: 'u32' },
  buffers: [{ name: 'X', elem: w }, { name: 'Y', elem: w, writes: true }],
});

function axisOf(ctx: InferContext): number {
  return normAxis(ctx, constInts(ctx, 1, 'axis')[0]!, ctx.inputs[0]!.shape.length);
}

export const CumSum: OpDef<A> = {
  type: 'CumSum', opsets: [11, 99], constInputs: [1],
  attrs: (a) => ({ exclusive: a.int('exclusive', 0) === 1, reverse: a.int('reverse', 0) === 1 }),
  infer(ctx) { axisOf(ctx); return [{ dtype: ctx.inputs[0]!.dtype, shape: [...ctx.inputs[0]!.shape] }]; },
  reference([x], a, ctx) {
    const axis = axisOf(ctx);
    const out = emptyLike(x!.dtype, x!.shape);
    const d = x!.shape[axis]!, inner = shapeSize(x!.shape.slice(axis + 1)), outer = shapeSize(x!.shape.slice(0, axis));
    const f = out.data instanceof Float32Array ? Math.fround : (v: number) => v;
    for (let o = 0; o < outer; o++) for (let r = 0; r < inner; r++) {
      let acc = 0;
      for (let t = 0; t < d; t++) {
        const j = a.reverse ? d - 1 - t : t;
        const at = (o * d + j) * inner + r;
        if (a.exclusive) { out.data[at] = acc; acc = f(acc + x!.data[at]!); } else { acc = f(acc + x!.data[at]!); out.data[at] = acc; }
      }
    }
    return [out];
  },
  gpu(ctx, a) {
    const x = ctx.inputs[0]!;
    const axis = axisOf(ctx);
    const w = wordType(x.dtype);
    const n = shapeSize(x.shape);
    const d = x.shape[axis]!, inner = shapeSize(x.shape.slice(axis + 1));
    return { kernels: [declaredKernel({
      name: 'cumsum', key: `cumsum_${w}`, sig: sig(w), args: [{ input: 0 }, { output: 0 }], workgroups: grid(ctx, n),
      params: { n, d: Math.max(d, 1), inner: Math.max(inner, 1), exclusive: a.exclusive ? 1 : 0, reverse: a.reverse ? 1 : 0 },
      source: () => ({
        requires: [linearIndex(WG)],
        body: perItemMain(WG, 'i', 'P.n', `  let j = (i / P.inner) % P.d;
  let base = i - j * P.inner;
  // Positions in summation order: forward 0..j, reverse d-1 down to j.
  let count = select(j + 1u, P.d - j, P.reverse == 1u) - P.exclusive;
  var acc = ${w}(0);
  for (var t = 0u; t < count; t++) {
    let p = select(t, P.d - 1u - t, P.reverse == 1u);
    acc += X_ld(base + p * P.inner);
  }
  Y_st(i, acc);`),
      }),
    })] };
  },
};
