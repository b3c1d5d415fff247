/**
 * LayerNormalization — https://onnx.ai/onnx/operators/onnx__LayerNormalization.html
 * Opset 17+. Normalizes over dims [axis, rank) (default axis -1), epsilon default 1e-5; Scale and
 * optional B broadcast to the normalized shape. Optional outputs Mean and InvStdDev have X's shape
 * with the normalized dims set to 1. stash_type is accepted and computation is in f32 either way.
 * On the GPU, Scale/B must be a (leading-1-stripped) suffix of the normalized shape.
 */
import { fmtShape, hostTensor, isFloat, type HostTensor } from '../../ir/types.js';
import type { InferContext, OpDef } from '../types.js';
import { rowsKernel } from './rows-kernel.js';
import { need, prod, wantsOutput } from './util.js';
import { normAxis } from '../../ir/axis.js';

interface A { axis: number; epsilon: number }

function split(ctx: InferContext, a: A): { ax: number; outer: number; R: number } {
  const shape = need(ctx, 0, 'X').shape;
  const ax = normAxis(ctx, a.axis, shape.length);
  return { ax, outer: prod(shape.slice(0, ax)), R: prod(shape.slice(ax)) };
}

/** Is `s` (leading ones stripped) a suffix of `norm`? Then element r of the row uses s[r % size]. */
function isSuffix(s: readonly number[], norm: readonly number[]): boolean {
  const t = s.slice(s.findIndex((d) => d !== 1) < 0 ? s.length : s.findIndex((d) => d !== 1));
  return t.length <= norm.length && t.every((d, i) => d === norm[norm.length - t.length + i]);
}

/** Right-aligned broadcast index of `coords` (in `norm`) into a tensor of shape `s`. */
function bcastIndex(coords: number[], s: readonly number[]): number {
  let idx = 0, stride = 1;
  for (let i = 1; i <= s.length; i++) {
    const d = s[s.length - i]!, c = coords[coords.length - i] ?? 0;
    idx += (d === 1 ? 0 : c) * stride; stride *= d;
  }
  return idx;
}

export const LayerNormalization: OpDef<A> = {
  type: 'LayerNormalization',
  optionalOutputs: 1,
  opsets: [17, 99],
  // X may be a strided view (e.g. NCHW channels seen as NHWC) and Y may be written through one.
  viewInputs: [0],
  viewOutput: true,
  attrs: (a) => ({ axis: a.int('axis', -1), epsilon: a.float('epsilon', 1e-5) }),
  infer(ctx, a) {
    const x = need(ctx, 0, 'X'), sc = need(ctx, 1, 'Scale');
    if (!isFloat(x.dtype)) throw ctx.error(`X must be a float type, got ${x.dtype}`, 'cast the input to float first');
    const { ax } = split(ctx, a);
    const norm = x.shape.slice(ax);
    for (const [t, n] of [[sc, 'Scale'], [ctx.inputs[2], 'B']] as const) {
      if (t && (t.shape.length > norm.length || t.shape.some((d, i) => d !== 1 && d !== norm[norm.length - t.shape.length + i])))
        throw ctx.error(`${n} ${fmtShape(t.shape)} does not broadcast to the normalized shape ${fmtShape(norm)}`, `${n} must broadcast to X's dims from axis ${ax}`);
    }
    const stat = { dtype: x.dtype, shape: x.shape.map((d, i) => (i < ax ? d : 1)) };
    return [{ dtype: x.dtype, shape: [...x.shape] }, stat, stat].slice(0, Math.max(1, ctx.node.outputs.length));
  },
  reference(inputs, a, ctx): HostTensor[] {
    const [x, sc, b] = inputs;
    const { ax, outer, R } = split(ctx, a);
    const norm = x!.shape.slice(ax);
    const y = hostTensor(x!.dtype, x!.shape);
    const stat = x!.shape.map((d, i) => (i < ax ? d : 1));
    const mean = hostTensor(x!.dtype, stat), inv = hostTensor(x!.dtype, stat);
    for (let o = 0; o < outer; o++) {
      let s = 0, q = 0;
      for (let r = 0; r < R; r++) s += x!.data[o * R + r]!;
      const m = s / R;
      for (let r = 0; r < R; r++) q += (x!.data[o * R + r]! - m) ** 2;
      const is = 1 / Math.sqrt(q / R + a.epsilon);
      mean.data[o] = m; inv.data[o] = is;
      for (let r = 0; r < R; r++) {
        const coords: number[] = [];
        let rem = r;
        for (let d = norm.length - 1; d >= 0; d--) { coords.unshift(rem % norm[d]!); rem = Math.floor(rem / norm[d]!); }
        const v = (x!.data[o * R + r]! - m) * is * sc!.data[bcastIndex(coords, sc!.shape)]!;
        y.data[o * R + r] = v + (b ? b.data[bcastIndex(coords, b.shape)]! : 0);
      }
    }
    return [y, mean, inv].slice(0, Math.max(1, ctx.node.outputs.length));
  },
  gpu(ctx, a) {
    const { ax, outer, R } = split(ctx, a);
    const norm = ctx.inputs[0]!.shape.slice(ax);
    const sc = ctx.inputs[1]!, b = ctx.inputs[2] ?? null;
    if (!isSuffix(sc.shape, norm) || (b && (!isSuffix(b.shape, norm) || prod(b.shape) !== prod(sc.shape))))
      return `Scale ${fmtShape(sc.shape)} / B ${b ? fmtShape(b.shape) : '-'} must be equal suffixes of the normalized shape ${fmtShape(norm)} on the GPU`;
    const stats = wantsOutput(ctx, 1) || wantsOutput(ctx, 2);
    if (stats && ctx.outputs.length < 3) return 'Mean without InvStdDev is not supported on the GPU';
    const x = ctx.inputs[0]!.shape;
    const k = rowsKernel({ mode: 'layernorm', outer, R, inner: 1, eps: a.epsilon, scale: 1, bias: b ? 2 : null, S: prod(sc.shape), stats,
      layout: { shape: x, red: [ax, x.length], x: ctx.views?.[0] ?? null, y: ctx.outView ?? null } }, 'layernorm');
    return typeof k === 'string' ? k : { kernels: [k] };
  },
};

/**
 * The same op below opset 17: ONNX Runtime's contrib LayerNormalization (ONNX domain, since version 1,
 * the same attributes and outputs), which ORT-optimized models carry, and what passes/fuse-layernorm.ts
 * folds older exporters' decomposed LayerNorm into.
 */
export const LayerNormalizationContrib: OpDef<A> = { ...LayerNormalization, opsets: [1, 16] };
