/**
 * Squeeze — https://onnx.ai/onnx/operators/onnx__Squeeze.html
 * Axes: attribute before opset 13, optional constant input 1 from 13; without axes every 1-dim goes.
 * Pure reinterpretation.
 */
import type { InferContext, OpDef } from '../types.js';
import { optConstInts } from './common.js';
import { normAxis } from '../../ir/axis.js';
import { expectInputs } from '../arity.js';

interface A { axes: number[] | null }

function target(ctx: InferContext, shape: readonly number[], axes: number[] | null): number[] {
  if (!axes) return shape.filter((d) => d !== 1);
  const ax = new Set(axes.map((x) => normAxis(ctx, x, shape.length, 'squeeze axis')));
  for (const k of ax) if (shape[k] !== 1) throw ctx.error(`cannot squeeze axis ${k} of size ${shape[k]}`, 'only dims of size 1 can be squeezed', { shape, axes });
  return shape.filter((_, k) => !ax.has(k));
}

function axesOf(ctx: InferContext, a: A): number[] | null {
  return ctx.opset < 13 ? a.axes : optConstInts(ctx, 1, 'axes') ?? null;
}

export const Squeeze: OpDef<A> = {
  type: 'Squeeze', constInputs: [1],
  attrs: (a, opset) => ({ axes: opset < 13 && a.has('axes') ? a.ints('axes') : null }),
  infer: (ctx, a) => {
    // Each op checks its own arity: fuzzed nodes with missing or extra inputs get a NodeError, not a crash.
    expectInputs(ctx, 1, ctx.opset < 13 ? 1 : 2);
    return [{ dtype: ctx.inputs[0]!.dtype, shape: target(ctx, ctx.inputs[0]!.shape, axesOf(ctx, a)) }];
  },
  reference: (inputs, a, ctx) => {
    const x = inputs[0]!;
    return [{ dtype: x.dtype, shape: target(ctx, x.shape, axesOf(ctx, a)), data: x.data.slice() }];
  },
  alias: () => 0,
};
