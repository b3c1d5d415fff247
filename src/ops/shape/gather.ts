/**
 * Gather — https://onnx.ai/onnx/operators/onnx__Gather.html
 * Output shape data[:axis] + indices.shape + data[axis+1:]; negative indices count from the back
 * (opset 11). Indices may be a runtime tensor; out-of-range ones (an error in ONNX) yield 0 on the GPU
 * instead of reading out of bounds.
 */
import { signature, type Word } from '../../gpu/signature.js';
import { shapeSize } from '../../ir/types.js';
import { declaredKernel, type OpDef } from '../types.js';
import { linearIndex, perItemMain } from '../wgsl-common.js';
import { checkRank, emptyLike, grid, WG, wordType } from './common.js';
import { normAxis } from '../../ir/axis.js';
import { expectInputs } from '../arity.js';
import { selectView, sliceView } from '../../ir/view.js';

interface A { axis: number }

const sig = (w: Word, wi: Word) => signature({
  params: { n: 'u32', inner: 'u32', m: 'u32', d: 'u32' },
  buffers: [{ name: 'X', elem: w }, { name: 'I', elem: wi }, { name: 'Y', elem: w, writes: true }],
});

export const Gather: OpDef<A> = {
  type: 'Gather',
  attrs: (a) => ({ axis: a.int('axis', 0) }),
  infer(ctx, a) {
    // Each op checks its own arity: fuzzed nodes with missing or extra inputs get a NodeError, not a crash.
    expectInputs(ctx, 2, 2);
    const [x, idx] = [ctx.inputs[0]!, ctx.inputs[1]!];
    const axis = normAxis(ctx, a.axis, x.shape.length);
    const shape = [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)];
    checkRank(ctx, shape, 'output');
    return [{ dtype: x.dtype, shape }];
  },
  reference([x, idx], a, ctx) {
    const axis = normAxis(ctx, a.axis, x!.shape.length);
    const d = x!.shape[axis]!;
    const outer = shapeSize(x!.shape.slice(0, axis)), inner = shapeSize(x!.shape.slice(axis + 1));
    const m = idx!.data.length;
    const out = emptyLike(x!.dtype, [...x!.shape.slice(0, axis), ...idx!.shape, ...x!.shape.slice(axis + 1)]);
    for (let o = 0; o < outer; o++) for (let j = 0; j < m; j++) {
      let q = idx!.data[j]!;
      if (q < 0) q += d;
      if (q < 0 || q >= d) throw ctx.error(`index ${idx!.data[j]} out of range for axis of size ${d}`, 'indices must lie in [-d, d-1]', { index: idx!.data[j] });
      for (let r = 0; r < inner; r++) out.data[(o * m + j) * inner + r] = x!.data[(o * d + q) * inner + r]!;
    }
    return [out];
  },
  // A constant index of rank 0 selects (drops the axis); one of rank 1 and length 1 slices.
  view(ctx, a, v) {
    const idx = ctx.constant(1);
    if (!idx || idx.data.length !== 1 || idx.shape.length > 1) return null;
    const axis = normAxis(ctx, a.axis, v.shape.length);
    const d = v.shape[axis]!;
    const q = idx.data[0]! < 0 ? idx.data[0]! + d : idx.data[0]!;
    if (q < 0 || q >= d) return null;
    return idx.shape.length === 0 ? selectView(v, axis, q) : sliceView(v, axis, q, 1, 1);
  },
  gpu(ctx, a) {
    const [x, idx] = [ctx.inputs[0]!, ctx.inputs[1]!];
    const axis = normAxis(ctx, a.axis, x.shape.length);
    const w = wordType(x.dtype), wi = wordType(idx.dtype);
    const n = shapeSize(ctx.outputs[0]!.shape);
    const inner = shapeSize(x.shape.slice(axis + 1)), m = shapeSize(idx.shape);
    return { kernels: [declaredKernel({
      name: 'gather', key: `gather_${w}_${wi}`, sig: sig(w, wi), args: [{ input: 0 }, { input: 1 }, { output: 0 }], workgroups: grid(ctx, n),
      params: { n, inner, m: Math.max(1, m), d: x.shape[axis]! },
      source: () => ({
        requires: [linearIndex(WG)],
        body: perItemMain(WG, 'i', 'P.n', `  let r = i % P.inner;
  let t = i / P.inner;
  let j = t % P.m;
  let o = t / P.m;
  var q = i32(I_ld(j));
  if (q < 0) { q += i32(P.d); }
  if (q < 0 || q >= i32(P.d)) { Y_st(i, ${w}(0)); return; }
  Y_st(i, X_ld((o * P.d + u32(q)) * P.inner + r));`),
      }),
    })] };
  },
};
