/**
 * Flatten — https://onnx.ai/onnx/operators/onnx__Flatten.html
 * Output is 2-D: [prod(dims[:axis]), prod(dims[axis:])]; negative axis from opset 11. Pure reinterpretation.
 */
import type { OpDef } from '../types.js';
import { shapeSize } from '../../ir/types.js';
import { expectInputs } from '../arity.js';

interface A { axis: number }

function target(shape: readonly number[], axis: number, err: (m: string, h: string) => Error): number[] {
  const r = shape.length;
  const ax = axis < 0 ? axis + r : axis;
  if (ax < 0 || ax > r) throw err(`axis ${axis} out of range for rank ${r}`, `use an axis in [-${r}, ${r}]`);
  return [shapeSize(shape.slice(0, ax)), shapeSize(shape.slice(ax))];
}

export const Flatten: OpDef<A> = {
  type: 'Flatten',
  attrs: (a) => ({ axis: a.int('axis', 1) }),
  infer: (ctx, a) => {
    // Each op checks its own arity: fuzzed nodes with missing or extra inputs get a NodeError, not a crash.
    expectInputs(ctx, 1, 1);
    return [{ dtype: ctx.inputs[0]!.dtype, shape: target(ctx.inputs[0]!.shape, a.axis, ctx.error) }];
  },
  reference: ([x], a, ctx) => [{ dtype: x!.dtype, shape: target(x!.shape, a.axis, ctx.error), data: x!.data.slice() }],
  alias: () => 0,
};
