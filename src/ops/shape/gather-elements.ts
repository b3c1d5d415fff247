/**
 * GatherElements — https://onnx.ai/onnx/operators/onnx__GatherElements.html (opset 11)
 * Output has the indices' shape; element c reads data at c with c[axis] replaced by indices[c]
 * (negative counts from the back). Out-of-range indices yield 0 on the GPU.
 */
import { signature, type Word } from '../../gpu/signature.js';
import { shapeSize } from '../../ir/types.js';
import { declaredKernel, type OpDef } from '../types.js';
import { linearIndex, perItemMain } from '../wgsl-common.js';
import { checkRank, denseStrides, gatherRef, grid, MAX_RANK, WG, wordType } from './common.js';
import { normAxis } from '../../ir/axis.js';

interface A { axis: number }

const sig = (w: Word, wi: Word) => signature({
  params: { n: 'u32', rank: 'u32', axis: 'u32', d: 'u32', shape: ['u32', MAX_RANK], strides: ['u32', MAX_RANK] },
  buffers: [{ name: 'X', elem: w }, { name: 'I', elem: wi }, { name: 'Y', elem: w, writes: true }],
});

export const GatherElements: OpDef<A> = {
  type: 'GatherElements', opsets: [11, 99],
  attrs: (a) => ({ axis: a.int('axis', 0) }),
  infer(ctx, a) {
    const [x, idx] = [ctx.inputs[0]!, ctx.inputs[1]!];
    normAxis(ctx, a.axis, x.shape.length);
    checkRank(ctx, x.shape);
    if (idx.shape.length !== x.shape.length) throw ctx.error(`indices rank ${idx.shape.length} differs from data rank ${x.shape.length}`, 'indices must have the rank of data', { data: x.shape, indices: idx.shape });
    return [{ dtype: x.dtype, shape: [...idx.shape] }];
  },
  reference([x, idx], a, ctx) {
    const axis = normAxis(ctx, a.axis, x!.shape.length);
    const d = x!.shape[axis]!;
    let i = 0;
    return [gatherRef(x!, idx!.shape, (c) => {
      let q = idx!.data[i++]!;
      if (q < 0) q += d;
      if (q < 0 || q >= d) throw ctx.error(`index ${q} out of range for axis of size ${d}`, 'indices must lie in [-d, d-1]');
      c[axis] = q;
      return c;
    })];
  },
  gpu(ctx, a) {
    const [x, idx] = [ctx.inputs[0]!, ctx.inputs[1]!];
    const axis = normAxis(ctx, a.axis, x.shape.length);
    const w = wordType(x.dtype), wi = wordType(idx.dtype);
    const n = shapeSize(idx.shape);
    return { kernels: [declaredKernel({
      name: 'gather_elements', key: `gather_elements_${w}_${wi}`, sig: sig(w, wi), args: [{ input: 0 }, { input: 1 }, { output: 0 }], workgroups: grid(ctx, n),
      params: { n, rank: idx.shape.length, axis, d: x.shape[axis]!, shape: idx.shape.map((v) => Math.max(1, v)), strides: denseStrides(x.shape) },
      source: () => ({
        requires: [linearIndex(WG)],
        body: perItemMain(WG, 'i', 'P.n', `  var q = i32(I_ld(i));
  if (q < 0) { q += i32(P.d); }
  if (q < 0 || q >= i32(P.d)) { Y_st(i, ${w}(0)); return; }
  var rem = i;
  var src = 0u;
  for (var k = i32(P.rank) - 1; k >= 0; k--) {
    let e = P_shape(u32(k));
    var c = rem % e;
    rem = rem / e;
    if (u32(k) == P.axis) { c = u32(q); }
    src += c * P_strides(u32(k));
  }
  Y_st(i, X_ld(src));`),
      }),
    })] };
  },
};
