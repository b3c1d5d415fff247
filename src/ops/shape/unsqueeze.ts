/**
 * Unsqueeze — https://onnx.ai/onnx/operators/onnx__Unsqueeze.html
 * Axes: attribute before opset 13, constant input 1 from 13; negative axes count in the output rank.
 * Pure reinterpretation.
 */
import type { InferContext, OpDef } from '../types.js';
import { constInts, checkRank } from './common.js';
import { normAxis } from '../../ir/axis.js';
import { expectInputs } from '../arity.js';

interface A { axes: number[] }

function target(ctx: InferContext, shape: readonly number[], axes: number[]): number[] {
  const r = shape.length + axes.length;
  const ax = new Set(axes.map((x) => normAxis(ctx, x, r, 'unsqueeze axis')));
  if (ax.size !== axes.length) throw ctx.error(`repeated axes ${JSON.stringify(axes)}`, 'list each axis once', { axes });
  const out: number[] = [];
  let j = 0;
  for (let k = 0; k < r; k++) out.push(ax.has(k) ? 1 : shape[j++]!);
  checkRank(ctx, out, 'output');
  return out;
}

export const Unsqueeze: OpDef<A> = {
  type: 'Unsqueeze', constInputs: [1],
  attrs: (a, opset) => ({ axes: opset < 13 ? a.ints('axes') : [] }),
  infer: (ctx, a) => {
    // Each op checks its own arity: fuzzed nodes with missing or extra inputs get a NodeError, not a crash.
    expectInputs(ctx, ctx.opset < 13 ? 1 : 2, ctx.opset < 13 ? 1 : 2);
    return [{ dtype: ctx.inputs[0]!.dtype, shape: target(ctx, ctx.inputs[0]!.shape, ctx.opset < 13 ? a.axes : constInts(ctx, 1, 'axes')) }];
  },
  reference: (inputs, a, ctx) => {
    const x = inputs[0]!;
    return [{ dtype: x.dtype, shape: target(ctx, x.shape, ctx.opset < 13 ? a.axes : Array.from(inputs[1]!.data)), data: x.data.slice() }];
  },
  alias: () => 0,
};
