/**
 * GatherND — https://onnx.ai/onnx/operators/onnx__GatherND.html
 * Opset 11+ (12 adds batch_dims). indices[..., k] index the first k dims of data after the b batch
 * dims; output = indices.shape[:-1] + data.shape[b+k:]. Negative indices count from the back; out of
 * range ones (an error in ONNX) give 0 on the GPU instead of a stray read. Indices are a runtime input.
 */
import { signature, type Word } from '../../gpu/signature.js';
import { shapeSize } from '../../ir/types.js';
import { declaredKernel, type InferContext, type OpDef } from '../types.js';
import { linearIndex, perItemMain } from '../wgsl-common.js';
import { expectInputs } from '../arity.js';
import { checkRank, denseStrides, emptyLike, grid, MAX_RANK, WG, wordType } from './common.js';

interface A { batchDims: number }

// Indices are read as i32 whatever their type: int64 is stored as i32 words (see DEVELOPERS.md).
const sig = (w: Word) => signature({
  params: { n: 'u32', k: 'u32', inner: 'u32', perBatch: 'u32', batchStride: 'u32', dims: ['u32', MAX_RANK], strides: ['u32', MAX_RANK] },
  buffers: [{ name: 'X', elem: w }, { name: 'I', elem: 'i32' }, { name: 'Y', elem: w, writes: true }],
});
interface Plan { b: number; k: number; out: number[]; inner: number; perBatch: number; batchStride: number; dims: number[]; strides: number[] }

function plan(ctx: InferContext, a: A): Plan {
  const x = ctx.inputs[0]!, idx = ctx.inputs[1]!;
  const r = x.shape.length, q = idx.shape.length, b = a.batchDims;
  if (r < 1 || q < 1) throw ctx.error(`data and indices must have rank >= 1, got ${r} and ${q}`, 'see the GatherND spec', { data: x.shape, indices: idx.shape });
  if (b < 0 || b >= Math.min(r, q)) throw ctx.error(`batch_dims ${b} must be in [0, min(rank(data), rank(indices)) - 1]`, 'fix batch_dims', { batchDims: b });
  for (let i = 0; i < b; i++) if (x.shape[i] !== idx.shape[i]) throw ctx.error(`batch dim ${i} differs: data ${x.shape[i]}, indices ${idx.shape[i]}`, 'the first batch_dims dims of data and indices must match', { data: x.shape, indices: idx.shape });
  const k = idx.shape[q - 1]!;
  if (k < 1 || k > r - b) throw ctx.error(`indices' last dim ${k} must be in [1, ${r - b}]`, 'each index tuple addresses at most rank(data) - batch_dims dims', { k });
  if (idx.dtype !== 'int64' && idx.dtype !== 'int32') throw ctx.error(`indices must be int64, got ${idx.dtype}`, 'cast the indices to int64', { dtype: idx.dtype });
  const out = [...idx.shape.slice(0, -1), ...x.shape.slice(b + k)];
  checkRank(ctx, out, 'output');
  const st = denseStrides(x.shape);
  return {
    b, k, out, inner: shapeSize(x.shape.slice(b + k)), perBatch: shapeSize(idx.shape.slice(b, -1)),
    batchStride: shapeSize(x.shape.slice(b)), dims: x.shape.slice(b, b + k), strides: st.slice(b, b + k),
  };
}

export const GatherND: OpDef<A> = {
  type: 'GatherND', opsets: [11, 99],
  attrs: (a) => ({ batchDims: a.int('batch_dims', 0) }),
  infer(ctx, a) {
    expectInputs(ctx, 2);
    return [{ dtype: ctx.inputs[0]!.dtype, shape: plan(ctx, a).out }];
  },
  reference([x, idx], a, ctx) {
    const p = plan(ctx, a);
    const y = emptyLike(x!.dtype, p.out);
    const tuples = shapeSize(idx!.shape.slice(0, -1));
    for (let t = 0; t < tuples; t++) {
      let off = Math.floor(t / Math.max(1, p.perBatch)) * p.batchStride;
      for (let j = 0; j < p.k; j++) {
        let v = idx!.data[t * p.k + j]!;
        if (v < 0) v += p.dims[j]!;
        if (v < 0 || v >= p.dims[j]!) throw ctx.error(`index ${idx!.data[t * p.k + j]} out of range for a dim of size ${p.dims[j]}`, 'indices must lie in [-d, d-1]');
        off += v * p.strides[j]!;
      }
      for (let e = 0; e < p.inner; e++) y.data[t * p.inner + e] = x!.data[off + e]!;
    }
    return [y];
  },
  gpu(ctx, a) {
    const p = plan(ctx, a);
    const n = shapeSize(p.out);
    if (n === 0) return { kernels: [] };
    const w = wordType(ctx.inputs[0]!.dtype);
    return { kernels: [declaredKernel({
      name: 'gathernd', key: `gathernd_${w}`, sig: sig(w), args: [{ input: 0 }, { input: 1 }, { output: 0 }], workgroups: grid(ctx, n),
      params: { n, k: p.k, inner: Math.max(1, p.inner), perBatch: Math.max(1, p.perBatch), batchStride: p.batchStride, dims: p.dims, strides: p.strides },
      source: () => ({
        requires: [linearIndex(WG)],
        body: perItemMain(WG, 'i', 'P.n', `  let t = i / P.inner;
  var off = (t / P.perBatch) * P.batchStride + i % P.inner;
  for (var j = 0u; j < P.k; j++) {
    let d = P_dims(j);
    var v = I_ld(t * P.k + j);
    if (v < 0) { v += i32(d); }
    if (v < 0 || v >= i32(d)) { Y_st(i, ${w}(0)); return; }
    off += u32(v) * P_strides(j);
  }
  Y_st(i, X_ld(off));`),
      }),
    })] };
  },
};
