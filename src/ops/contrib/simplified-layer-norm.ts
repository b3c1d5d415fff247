/**
 * SimplifiedLayerNormalization — onnxruntime's RMSNorm (T5, Llama, Mistral, Phi exports through its
 * transformer optimizer or optimum), registered by onnxruntime in the ONNX domain since version 1:
 * https://github.com/microsoft/onnxruntime/blob/main/docs/ContribOperators.md (schema in contrib_defs.cc).
 *   Y = X / sqrt(mean(X², over dims [axis, rank)) + epsilon) · scale
 * axis default -1, epsilon default 1e-5, stash_type accepted (f32 either way). Optional output 1 is
 * inv_std_var (X's shape with the normalized dims 1); the GPU kernel (the LayerNorm row kernel without
 * the mean) does not write it, so a model that reads it is refused there. Scale must be a
 * (leading-1-stripped) suffix of the normalized shape, as onnxruntime requires.
 */
import { fmtShape, hostTensor, isFloat, type HostTensor } from '../../ir/types.js';
import type { InferContext, OpDef } from '../types.js';
import { rowsKernel } from '../linalg/rows-kernel.js';
import { need, prod, wantsOutput } from '../linalg/util.js';
import { normAxis } from '../../ir/axis.js';

interface A { axis: number; epsilon: number }

function split(ctx: InferContext, a: A): { ax: number; outer: number; R: number; norm: number[] } {
  const shape = need(ctx, 0, 'X').shape;
  const ax = normAxis(ctx, a.axis, shape.length);
  return { ax, outer: prod(shape.slice(0, ax)), R: prod(shape.slice(ax)), norm: shape.slice(ax) };
}

export const SimplifiedLayerNormalization: OpDef<A> = {
  type: 'SimplifiedLayerNormalization',
  optionalOutputs: 1,
  opsets: [1, 99],
  attrs: (a) => ({ axis: a.int('axis', -1), epsilon: a.float('epsilon', 1e-5) }),
  infer(ctx, a) {
    const x = need(ctx, 0, 'X'), sc = need(ctx, 1, 'scale');
    if (!isFloat(x.dtype)) throw ctx.error(`X must be a float type, got ${x.dtype}`, 'cast the input to float first');
    const { ax, norm } = split(ctx, a);
    const s = sc.shape.slice(Math.max(0, sc.shape.findIndex((d) => d !== 1)));
    if (sc.shape.every((d) => d === 1) ? prod(norm) !== 1 : (s.length > norm.length || s.some((d, i) => d !== norm[norm.length - s.length + i]) || prod(s) !== prod(norm)))
      throw ctx.error(`scale ${fmtShape(sc.shape)} does not match the normalized shape ${fmtShape(norm)}`, `scale must have X's dims from axis ${ax}`);
    const stat = { dtype: x.dtype, shape: x.shape.map((d, i) => (i < ax ? d : 1)) };
    return [{ dtype: x.dtype, shape: [...x.shape] }, stat].slice(0, Math.max(1, ctx.node.outputs.length));
  },
  reference(inputs, a, ctx): HostTensor[] {
    const [x, sc] = inputs;
    const { ax, outer, R } = split(ctx, a);
    const y = hostTensor(x!.dtype, x!.shape);
    const inv = hostTensor(x!.dtype, x!.shape.map((d, i) => (i < ax ? d : 1)));
    for (let o = 0; o < outer; o++) {
      let q = 0;
      for (let r = 0; r < R; r++) q += x!.data[o * R + r]! ** 2;
      const is = 1 / Math.sqrt(q / R + a.epsilon);
      inv.data[o] = is;
      for (let r = 0; r < R; r++) y.data[o * R + r] = x!.data[o * R + r]! * is * sc!.data[r]!;
    }
    return [y, inv].slice(0, Math.max(1, ctx.node.outputs.length));
  },
  gpu(ctx, a) {
    if (wantsOutput(ctx, 1)) return 'output 1 (inv_std_var) is not supported on the GPU';
    const { ax, outer, R } = split(ctx, a);
    const x = ctx.inputs[0]!.shape;
    const k = rowsKernel({ mode: 'rmsnorm', outer, R, inner: 1, eps: a.epsilon, scale: 1, bias: null, S: R,
      layout: { shape: x, red: [ax, x.length], x: null, y: null } }, 'rmsnorm');
    return typeof k === 'string' ? k : { kernels: [k] };
  },
};

/** The same op under com.microsoft, where some exporters put it. */
export const SimplifiedLayerNormalizationMs: OpDef<A> = { ...SimplifiedLayerNormalization, domain: 'com.microsoft' };
