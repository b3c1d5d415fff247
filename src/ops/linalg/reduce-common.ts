/**
 * Shared by the Reduce* ops: axes from the attribute (older opsets) or from the constant input 1
 * (ReduceSum ≥ 13, the others ≥ 18), keepdims, noop_with_empty_axes, and the CPU reference.
 */
import { hostTensor, isFloat, shapeSize, type HostTensor } from '../../ir/types.js';
import type { InferContext, OpDef } from '../types.js';
import { reduceKernel, type ReduceKind } from './reduce-kernel.js';
import { need } from './util.js';
import { normAxis } from '../../ir/axis.js';

export interface ReduceAttrs { axes: number[] | null; keepdims: boolean; noop: boolean; axesFromInput: boolean }

/** The set of reduced axes (empty when noop) and the output shape. */
function plan(ctx: InferContext, a: ReduceAttrs): { reduced: Set<number>; out: number[] } {
  const shape = need(ctx, 0, 'data').shape;
  let axes = a.axes;
  if (a.axesFromInput && ctx.inputs[1]) {
    const t = ctx.constant(1);
    if (!t) throw ctx.error('the axes input is not a constant', 'wgml needs reduction axes known when the model is loaded; make axes an initializer');
    axes = Array.from(t.data);
  }
  const reduced = new Set<number>();
  if (!axes || axes.length === 0) { if (!a.noop) shape.forEach((_, i) => reduced.add(i)); } else for (const x of axes) reduced.add(normAxis(ctx, x, shape.length, 'axis'));
  const out: number[] = [];
  shape.forEach((d, i) => { if (!reduced.has(i)) out.push(d); else if (a.keepdims) out.push(1); });
  return { reduced, out };
}

/** CPU reduction in f64, walking input elements in order and mapping each to its output slot. */
function reference(kind: ReduceKind, x: HostTensor, reduced: Set<number>, out: number[]): HostTensor {
  const shape = x.shape, n = shapeSize(out);
  const oStride: number[] = [];
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { oStride[i] = reduced.has(i) ? 0 : acc; if (!reduced.has(i)) acc *= shape[i]!; }
  const slot = (flat: number) => { let o = 0; for (let i = shape.length - 1; i >= 0; i--) { o += (flat % shape[i]!) * oStride[i]!; flat = Math.floor(flat / shape[i]!); } return o; };
  let count = 1;
  reduced.forEach((i) => (count *= shape[i]!));
  const init = kind === 'max' || kind === 'logsumexp' ? -Infinity : kind === 'min' ? Infinity : kind === 'prod' ? 1 : 0;
  const v = new Float64Array(n).fill(init);
  const mx = new Float64Array(n).fill(-Infinity);
  if (kind === 'logsumexp') for (let k = 0; k < x.data.length; k++) { const o = slot(k); mx[o] = Math.max(mx[o]!, x.data[k]!); }
  if (kind === 'logsumexp') v.fill(0);
  for (let k = 0; k < x.data.length; k++) {
    const o = slot(k), e = x.data[k]!;
    switch (kind) {
      case 'sum': case 'mean': v[o] += e; break;
      case 'max': v[o] = Math.max(v[o]!, e); break;
      case 'min': v[o] = Math.min(v[o]!, e); break;
      case 'prod': v[o] *= e; break;
      case 'sumsquare': case 'l2': v[o] += e * e; break;
      case 'l1': v[o] += Math.abs(e); break;
      case 'logsumexp': v[o] += Math.exp(e - (Number.isFinite(mx[o]!) ? mx[o]! : 0)); break;
    }
  }
  const y = hostTensor(x.dtype, out);
  const fl = isFloat(x.dtype);
  for (let o = 0; o < n; o++) {
    let r = v[o]!;
    if (kind === 'mean') r = fl ? r / count : Math.trunc(r / count);
    if (kind === 'l2') r = Math.sqrt(r);
    if (kind === 'logsumexp') r = (Number.isFinite(mx[o]!) ? mx[o]! : 0) + Math.log(r);
    y.data[o] = r;
  }
  return y;
}

/** A Reduce* op whose axes move from attribute to input at `axesInputOpset`. */
export function reduceOp(type: string, kind: ReduceKind, axesInputOpset: number): OpDef<ReduceAttrs> {
  return {
    type,
    constInputs: [1],
    attrs: (a, opset) => ({
      axes: opset < axesInputOpset && a.has('axes') ? a.ints('axes') : null,
      keepdims: a.int('keepdims', 1) === 1,
      noop: a.int('noop_with_empty_axes', 0) === 1,
      axesFromInput: opset >= axesInputOpset,
    }),
    infer(ctx, a) {
      const t = need(ctx, 0, 'data');
      return [{ dtype: t.dtype, shape: plan(ctx, a).out }];
    },
    reference([x], a, ctx) {
      const p = plan(ctx, a);
      return [reference(kind, x!, p.reduced, p.out)];
    },
    gpu(ctx, a) {
      const t = ctx.inputs[0]!;
      const p = plan(ctx, a);
      const k = reduceKernel({ kind, dtype: t.dtype, shape: t.shape, reduced: p.reduced, nOut: shapeSize(p.out) }, type.toLowerCase());
      return typeof k === 'string' ? k : { kernels: [k] };
    },
  };
}
