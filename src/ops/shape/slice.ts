/**
 * Slice — https://onnx.ai/onnx/operators/onnx__Slice.html
 * Opset 10+: starts, ends, axes?, steps? are inputs (compile-time constants here); opsets 1–9 use
 * attributes and step 1. Negative starts/ends count from the back, out-of-range values clamp, negative
 * steps walk backwards (start clamps to dim−1, end to −1).
 */
import type { InferContext, OpDef } from '../types.js';
import { checkRank, constInts, gatherRef, inputView, optConstInts, viewCopyKernel } from './common.js';
import { normAxis } from '../../ir/axis.js';
import { expectInputs } from '../arity.js';
import { sliceView } from '../../ir/view.js';

interface A { starts: number[]; ends: number[]; axes: number[] | null }

export interface AxisSlice { start: number; step: number; count: number }

/** Per-axis start, step and element count after ONNX clamping. */
export function sliceAxes(ctx: InferContext, shape: readonly number[], starts: number[], ends: number[], axes: number[] | null, steps: number[] | null): AxisSlice[] {
  const r = shape.length;
  const out: AxisSlice[] = shape.map((d) => ({ start: 0, step: 1, count: d }));
  const ax = axes ?? starts.map((_, i) => i);
  if (starts.length !== ends.length || ax.length !== starts.length || (steps && steps.length !== starts.length))
    throw ctx.error('starts, ends, axes and steps differ in length', 'give one entry per sliced axis', { starts, ends, axes, steps });
  const seen = new Set<number>();
  ax.forEach((axis, i) => {
    const k = normAxis(ctx, axis, r, 'slice axis');
    if (seen.has(k)) throw ctx.error(`axis ${axis} repeats`, 'slice each axis once', { axes });
    seen.add(k);
    const d = shape[k]!, step = steps ? steps[i]! : 1;
    if (step === 0) throw ctx.error('a step is 0', 'steps must be non-zero', { steps });
    let s = starts[i]!, e = ends[i]!;
    if (s < 0) s += d;
    if (e < 0) e += d;
    if (step > 0) { s = Math.min(Math.max(s, 0), d); e = Math.min(Math.max(e, 0), d); }
    else { s = Math.min(Math.max(s, 0), d - 1); e = Math.min(Math.max(e, -1), d - 1); }
    out[k] = { start: s, step, count: Math.max(0, Math.ceil((e - s) / step)) };
  });
  return out;
}

function params(ctx: InferContext, a: A): AxisSlice[] {
  const x = ctx.inputs[0]!;
  if (ctx.opset < 10) return sliceAxes(ctx, x.shape, a.starts, a.ends, a.axes, null);
  return sliceAxes(ctx, x.shape, constInts(ctx, 1, 'starts'), constInts(ctx, 2, 'ends'), optConstInts(ctx, 3, 'axes') ?? null, optConstInts(ctx, 4, 'steps') ?? null);
}

export const Slice: OpDef<A> = {
  type: 'Slice', constInputs: [1, 2, 3, 4],
  attrs: (a, opset) => (opset < 10 ? { starts: a.ints('starts'), ends: a.ints('ends'), axes: a.has('axes') ? a.ints('axes') : null } : { starts: [], ends: [], axes: null }),
  infer(ctx, a) {
    // Each op checks its own arity: fuzzed nodes with missing or extra inputs get a NodeError, not a crash.
    expectInputs(ctx, ctx.opset < 10 ? 1 : 3, ctx.opset < 10 ? 1 : 5);
    checkRank(ctx, ctx.inputs[0]!.shape);
    return [{ dtype: ctx.inputs[0]!.dtype, shape: params(ctx, a).map((p) => p.count) }];
  },
  reference([x], a, ctx) {
    const p = params(ctx, a);
    return [gatherRef(x!, p.map((q) => q.count), (c) => c.map((v, k) => p[k]!.start + v * p[k]!.step))];
  },
  // Negative steps would need signed strides in every kernel that reads views: those stay copies.
  view: (ctx, a, v) => {
    const p = params(ctx, a);
    return p.some((q) => q.step < 0) ? null : p.reduce((w, q, k) => sliceView(w, k, q.start, q.step, q.count), v);
  },
  viewInputs: [0],
  // The copy kernel's strides are signed, so negative steps compose here too.
  gpu(ctx, a) {
    const p = params(ctx, a);
    return { kernels: [viewCopyKernel(ctx, 'slice', 0, p.reduce((w, q, k) => sliceView(w, k, q.start, q.step, q.count), inputView(ctx)))] };
  },
};
