/**
 * ScatterND — https://onnx.ai/onnx/operators/onnx__ScatterND.html
 * Opset 11+; `reduction` none/add/mul from 16, max/min from 18. indices[..., k] address slices of
 * data's first k dims; updates = indices.shape[:-1] + data.shape[k:]. Duplicate index tuples apply
 * in order (none keeps the last, the reductions accumulate), as the reference implementation does.
 * GPU: a copy, then one thread per element of a slice walking every tuple in order, so threads write
 * disjoint outputs and the order is deterministic (parallelism = slice size).
 */
import type { Word } from '../../gpu/signature.js';
import { shapeSize, type HostTensor } from '../../ir/types.js';
import { declaredKernel, type InferContext, type OpDef } from '../types.js';
import { linearIndex, perItemMain } from '../wgsl-common.js';
import { expectInputs } from '../arity.js';
import { checkRank, denseStrides, grid, MAX_RANK, stridedKernel, WG, wordType } from './common.js';
import { checkScatterTypes, combineCpu, combineWgsl, parseReduction, scatterSig, type Reduction } from './scatter-elements.js';

interface A { reduction: Reduction }

const sig = (w: Word) => scatterSig(w, { inner: 'u32', M: 'u32', k: 'u32', dims: ['u32', MAX_RANK], strides: ['u32', MAX_RANK] });

function plan(ctx: InferContext): { k: number; M: number; inner: number; dims: number[]; strides: number[] } {
  const [x, idx, upd] = [ctx.inputs[0]!, ctx.inputs[1]!, ctx.inputs[2]!];
  checkScatterTypes(ctx, x.dtype, upd.dtype, idx.dtype);
  checkRank(ctx, x.shape, 'data');
  if (idx.shape.length < 1) throw ctx.error('indices must have rank >= 1', 'the last dim of indices holds the index tuples');
  const k = idx.shape[idx.shape.length - 1]!;
  if (k < 1 || k > x.shape.length) throw ctx.error(`indices' last dim ${k} must be in [1, ${x.shape.length}]`, 'each tuple addresses at most rank(data) dims', { k });
  const want = [...idx.shape.slice(0, -1), ...x.shape.slice(k)];
  if (want.join() !== upd.shape.join()) throw ctx.error(`updates have shape [${upd.shape}], expected [${want}]`, 'updates = indices.shape[:-1] + data.shape[k:]', { updates: upd.shape, expected: want });
  return { k, M: shapeSize(idx.shape.slice(0, -1)), inner: shapeSize(x.shape.slice(k)), dims: x.shape.slice(0, k), strides: denseStrides(x.shape).slice(0, k) };
}

export const ScatterND: OpDef<A> = {
  type: 'ScatterND', opsets: [11, 99],
  attrs: (a, opset) => ({ reduction: parseReduction(a.string('reduction', 'none'), opset, (m, h) => a.error(m, h)) }),
  infer(ctx) {
    expectInputs(ctx, 3);
    plan(ctx);
    return [{ dtype: ctx.inputs[0]!.dtype, shape: [...ctx.inputs[0]!.shape] }];
  },
  reference([x, idx, upd], a, ctx) {
    const p = plan(ctx);
    const y = { dtype: x!.dtype, shape: [...x!.shape], data: x!.data.slice() as HostTensor["data"] };
    for (let t = 0; t < p.M; t++) {
      let off = 0;
      for (let j = 0; j < p.k; j++) {
        let q = idx!.data[t * p.k + j]!;
        if (q < 0) q += p.dims[j]!;
        if (q < 0 || q >= p.dims[j]!) throw ctx.error(`index ${idx!.data[t * p.k + j]} out of range for a dim of size ${p.dims[j]}`, 'indices must lie in [-d, d-1]');
        off += q * p.strides[j]!;
      }
      for (let e = 0; e < p.inner; e++) y.data[off + e] = combineCpu(a.reduction, y.data[off + e]!, upd!.data[t * p.inner + e]!);
    }
    return [y];
  },
  gpu(ctx, a) {
    const p = plan(ctx);
    const x = ctx.inputs[0]!;
    const w = wordType(x.dtype);
    const kernels = shapeSize(x.shape) ? [stridedKernel(ctx, 'scatternd_copy', 0, 0, x.dtype, x.shape, denseStrides(x.shape))] : [];
    if (!p.M || !p.inner) return { kernels };
    kernels.push(declaredKernel({
      name: 'scatternd', key: `scatternd_${w}_${a.reduction}`, sig: sig(w), args: [{ input: 1 }, { input: 2 }, { output: 0 }], workgroups: grid(ctx, p.inner),
      params: { inner: p.inner, M: p.M, k: p.k, dims: p.dims, strides: p.strides },
      source: () => ({
        requires: [linearIndex(WG)],
        body: perItemMain(WG, 'e', 'P.inner', `  for (var t = 0u; t < P.M; t++) {
    var off = e;
    var ok = true;
    for (var j = 0u; j < P.k; j++) {
      let d = P_dims(j);
      var q = I_ld(t * P.k + j);
      if (q < 0) { q += i32(d); }
      if (q < 0 || q >= i32(d)) { ok = false; break; }
      off += u32(q) * P_strides(j);
    }
    if (!ok) { continue; }
    Y_st(off, ${combineWgsl(a.reduction, 'Y_ld(off)', 'U_ld(t * P.inner + e)')});
  }`),
      }),
    }));
    return { kernels };
  },
};
