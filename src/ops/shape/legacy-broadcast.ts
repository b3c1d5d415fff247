/**
 * wgml.LegacyBroadcast(B, A) {axis}: B reshaped so that numpy broadcasting lines it up with A the way
 * opsets 1–6 did (https://github.com/onnx/onnx/blob/main/docs/Changelog.md#Add-6): with
 * `broadcast=1` and `axis`, B's shape is a contiguous run of A's dims starting at `axis`, or B holds one
 * element. The importer (onnx/legacy.ts) puts this node in front of B, as ONNX's version converter
 * puts an Unsqueeze there; it cannot write that Unsqueeze itself because A's rank is only known once
 * shapes are. A is read for its shape only. Pure reinterpretation: no kernel runs.
 */
import { shapeSize, type HostTensor } from '../../ir/types.js';
import type { InferContext, OpDef } from '../types.js';
import { expectInputs } from '../arity.js';

interface A { axis: number }

function target(ctx: InferContext, b: readonly number[], a: readonly number[], axis: number): number[] {
  if (shapeSize(b) === 1) return [];
  const ax = axis < 0 ? axis + a.length : axis;
  const fits = ax >= 0 && ax + b.length <= a.length && b.every((d, i) => d === a[ax + i] || d === 1);
  if (!fits) {
    throw ctx.error(`input B [${b.join(', ')}] does not match input A [${a.join(', ')}] from axis ${axis} (broadcast=1, as opsets 1–6 define it)`,
      "before opset 7, B's dims must equal a run of A's dims starting at `axis`, or B must hold one element", { a, b, axis });
  }
  return [...b, ...Array<number>(a.length - ax - b.length).fill(1)];
}

export const LegacyBroadcast: OpDef<A> = {
  type: 'LegacyBroadcast', domain: 'wgml',
  attrs: (a) => ({ axis: a.int('axis') }),
  infer(ctx, a) {
    expectInputs(ctx, 2, 2);
    const b = ctx.inputs[0]!;
    return [{ dtype: b.dtype, shape: target(ctx, b.shape, ctx.inputs[1]!.shape, a.axis) }];
  },
  reference(inputs, a, ctx): HostTensor[] {
    const b = inputs[0]!;
    return [{ dtype: b.dtype, shape: target(ctx, b.shape, inputs[1]!.shape, a.axis), data: b.data.slice() }];
  },
  alias: () => 0,
};
