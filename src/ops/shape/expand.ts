/**
 * Expand — https://onnx.ai/onnx/operators/onnx__Expand.html (opset 8)
 * Bidirectional numpy broadcast of the input with the shape input (a compile-time constant here):
 * the output may be larger than `shape` asks where the input has the larger dim.
 */
import type { InferContext, OpDef } from '../types.js';
import { checkRank, constInts, denseStrides, gatherRef, inputView, viewCopyKernel } from './common.js';
import { expectInputs } from '../arity.js';
import { expandView } from '../../ir/view.js';

export function broadcastShapes(ctx: InferContext, a: readonly number[], b: readonly number[]): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let k = 0; k < r; k++) {
    const x = a[k - r + a.length] ?? 1, y = b[k - r + b.length] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw ctx.error(`shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast`, 'each dim pair must be equal or contain a 1', { a, b });
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** Input strides aligned to the output's rank, 0 on broadcast dims. */
export function broadcastStrides(inShape: readonly number[], outShape: readonly number[]): number[] {
  const st = denseStrides(inShape);
  const off = outShape.length - inShape.length;
  return outShape.map((_, k) => (k < off || inShape[k - off] === 1 ? 0 : st[k - off]!));
}

export const Expand: OpDef<Record<string, never>> = {
  type: 'Expand', opsets: [8, 99], constInputs: [1],
  attrs: () => ({}),
  infer(ctx) {
    // Each op checks its own arity: fuzzed nodes with missing or extra inputs get a NodeError, not a crash.
    expectInputs(ctx, 2, 2);
    const x = ctx.inputs[0]!;
    const shape = broadcastShapes(ctx, x.shape, constInts(ctx, 1, 'shape'));
    checkRank(ctx, shape, 'output');
    return [{ dtype: x.dtype, shape }];
  },
  reference([x, s], _a, ctx) {
    const out = broadcastShapes(ctx, x!.shape, Array.from(s!.data));
    const off = out.length - x!.shape.length;
    return [gatherRef(x!, out, (c) => x!.shape.map((d, k) => (d === 1 ? 0 : c[k + off]!)))];
  },
  view: (ctx, _a, v) => expandView(v, broadcastShapes(ctx, v.shape, constInts(ctx, 1, 'shape'))),
  viewInputs: [0],
  gpu(ctx) {
    const out = ctx.outputs[0]!.shape;
    const v = expandView(inputView(ctx), out);
    if (!v) return `input [${ctx.inputs[0]!.shape.join(', ')}] does not broadcast to [${out.join(', ')}]`;
    return { kernels: [viewCopyKernel(ctx, 'expand', 0, v)] };
  },
};
