/**
 * Split — https://onnx.ai/onnx/operators/onnx__Split.html
 * Sizes: `split` attribute before opset 13, optional constant input 1 from 13; otherwise equal parts
 * (opset 18: `num_outputs`, the last part smaller when the dim does not divide). One kernel per output.
 */
import type { InferContext, OpDef } from '../types.js';
import { checkRank, gatherRef, inputView, optConstInts, viewCopyKernel } from './common.js';
import { normAxis } from '../../ir/axis.js';
import { expectInputs } from '../arity.js';
import { sliceView } from '../../ir/view.js';

interface A { axis: number; split: number[] | null; numOutputs: number | null }

function parts(ctx: InferContext, a: A): { axis: number; sizes: number[] } {
  const x = ctx.inputs[0]!;
  const axis = normAxis(ctx, a.axis, x.shape.length);
  const d = x.shape[axis]!;
  const n = ctx.node.outputs.length;
  const given = ctx.opset < 13 ? a.split : optConstInts(ctx, 1, 'split') ?? null;
  let sizes: number[];
  if (given) sizes = given;
  else if (a.numOutputs !== null) {
    const c = Math.ceil(d / a.numOutputs);
    sizes = [...Array(a.numOutputs).keys()].map((i) => Math.max(0, Math.min(c, d - i * c)));
  } else {
    if (d % n) throw ctx.error(`dim ${d} does not split into ${n} equal parts`, 'give the split sizes', { dim: d, outputs: n });
    sizes = Array(n).fill(d / n);
  }
  if (sizes.length !== n || sizes.reduce((s, v) => s + v, 0) !== d || sizes.some((v) => v < 0))
    throw ctx.error(`split ${JSON.stringify(sizes)} does not fit dim ${d} into ${n} outputs`, 'sizes must be non-negative, one per output, summing to the dim', { split: sizes, dim: d });
  return { axis, sizes };
}

export const Split: OpDef<A> = {
  type: 'Split', constInputs: [1],
  attrs: (a, opset) => ({ axis: a.int('axis', 0), split: opset < 13 && a.has('split') ? a.ints('split') : null, numOutputs: a.has('num_outputs') ? a.int('num_outputs') : null }),
  infer(ctx, a) {
    // Each op checks its own arity: fuzzed nodes with missing or extra inputs get a NodeError, not a crash.
    expectInputs(ctx, 1, 2);
    const x = ctx.inputs[0]!;
    checkRank(ctx, x.shape);
    const { axis, sizes } = parts(ctx, a);
    return sizes.map((s) => ({ dtype: x.dtype, shape: x.shape.map((d, k) => (k === axis ? s : d)) }));
  },
  reference([x], a, ctx) {
    const { axis, sizes } = parts(ctx, a);
    let at = 0;
    return sizes.map((s) => {
      const from = at;
      at += s;
      return gatherRef(x!, x!.shape.map((d, k) => (k === axis ? s : d)), (c) => c.map((v, k) => (k === axis ? v + from : v)));
    });
  },
  view: (ctx, a, v, output) => {
    const { axis, sizes } = parts(ctx, a);
    return sliceView(v, axis, sizes.slice(0, output).reduce((x, y) => x + y, 0), 1, sizes[output]!);
  },
  viewInputs: [0],
  gpu(ctx, a) {
    const { axis, sizes } = parts(ctx, a);
    const v = inputView(ctx);
    let at = 0;
    return { kernels: sizes.map((s, i) => {
      const k = viewCopyKernel(ctx, `split_${i}`, i, sliceView(v, axis, at, 1, s));
      at += s;
      return k;
    }) };
  },
};
