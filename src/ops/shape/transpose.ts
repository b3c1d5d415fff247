/**
 * Transpose — https://onnx.ai/onnx/operators/onnx__Transpose.html
 * `perm` defaults to reversing the axes. Output dim k is input dim perm[k].
 */
import type { InferContext, OpDef } from '../types.js';
import { checkRank, gatherRef, inputView, viewCopyKernel } from './common.js';
import { expectInputs } from '../arity.js';
import { permuteView } from '../../ir/view.js';

interface A { perm: number[] | null }

function permOf(ctx: InferContext, rank: number, a: A): number[] {
  const p = a.perm ?? [...Array(rank).keys()].reverse();
  const ok = p.length === rank && new Set(p).size === rank && p.every((x) => x >= 0 && x < rank);
  if (!ok) throw ctx.error(`perm ${JSON.stringify(p)} is not a permutation of ${rank} axes`, 'list each axis 0..rank-1 once', { perm: p });
  return p;
}

export const Transpose: OpDef<A> = {
  type: 'Transpose',
  attrs: (a) => ({ perm: a.has('perm') ? a.ints('perm') : null }),
  infer(ctx, a) {
    // Each op checks its own arity: fuzzed nodes with missing or extra inputs get a NodeError, not a crash.
    expectInputs(ctx, 1, 1);
    const x = ctx.inputs[0]!;
    checkRank(ctx, x.shape);
    const p = permOf(ctx, x.shape.length, a);
    return [{ dtype: x.dtype, shape: p.map((k) => x.shape[k]!) }];
  },
  reference([x], a, ctx) {
    const p = permOf(ctx, x!.shape.length, a);
    return [gatherRef(x!, p.map((k) => x!.shape[k]!), (c) => {
      const s = new Array<number>(c.length);
      p.forEach((k, i) => (s[k] = c[i]!));
      return s;
    })];
  },
  view: (ctx, a, v) => permuteView(v, permOf(ctx, v.shape.length, a)),
  viewInputs: [0],
  gpu(ctx, a) {
    const p = permOf(ctx, ctx.inputs[0]!.shape.length, a);
    return { kernels: [viewCopyKernel(ctx, 'transpose', 0, permuteView(inputView(ctx), p))] };
  },
};
