/**
 * CenterCropPad — https://onnx.ai/onnx/operators/onnx__CenterCropPad.html
 * Opset 18+. Each axis of `axes` (default all) is cropped or zero-padded to `shape` (constant input 1),
 * centred: the window (or the input inside the padding) starts ⌊|out − in| / 2⌋ in, as the reference
 * implementation places it. The kernel is Pad's with a negative begin where it crops.
 */
import { shapeSize, type HostTensor } from '../../ir/types.js';
import { normAxis } from '../../ir/axis.js';
import type { InferContext, OpDef } from '../types.js';
import { expectInputs } from '../arity.js';
import { constInts, emptyLike, ravel, unravel } from './common.js';
import { padKernel } from './pad.js';

interface A { axes: number[] | null }

/** Output shape and where the input starts in it along each axis (negative: cropped). */
function place(ctx: InferContext, a: A, inShape: readonly number[], spec: readonly number[]): { out: number[]; begin: number[] } {
  const r = inShape.length;
  const axes = (a.axes ?? [...Array(r).keys()]).map((k) => normAxis(ctx, k, r, 'CenterCropPad axis'));
  if (new Set(axes).size !== axes.length) throw ctx.error(`axes ${JSON.stringify(a.axes)} repeat an axis`, 'list each axis once');
  if (spec.length !== axes.length || spec.some((d) => !Number.isInteger(d) || d < 0)) throw ctx.error(`shape ${JSON.stringify(spec)} must give a size ≥ 0 for each of the ${axes.length} axes`, 'one target size per axis', { shape: spec, axes });
  const out = [...inShape], begin = Array<number>(r).fill(0);
  axes.forEach((k, i) => { out[k] = spec[i]!; const diff = spec[i]! - inShape[k]!; begin[k] = Math.sign(diff) * Math.floor(Math.abs(diff) / 2); });
  return { out, begin };
}

export const CenterCropPad: OpDef<A> = {
  type: 'CenterCropPad', opsets: [18, 99], constInputs: [1],
  attrs: (a) => ({ axes: a.has('axes') ? a.ints('axes') : null }),
  infer(ctx, a) {
    expectInputs(ctx, 2, 2);
    const x = ctx.inputs[0]!;
    if (x.dtype === 'string') throw ctx.error('string tensors are not supported', 'wgml stores numbers only');
    return [{ dtype: x.dtype, shape: place(ctx, a, x.shape, constInts(ctx, 1, 'shape')).out }];
  },
  reference([x, shape], a, ctx): HostTensor[] {
    const { out, begin } = place(ctx, a, x!.shape, Array.from(shape!.data, Number));
    const y = emptyLike(x!.dtype, out);
    for (let i = 0; i < shapeSize(out); i++) {
      const src = unravel(i, out).map((c, k) => c - begin[k]!);
      if (src.every((s, k) => s >= 0 && s < x!.shape[k]!)) y.data[i] = x!.data[ravel(src, x!.shape)]!;
    }
    return [y];
  },
  gpu(ctx, a) {
    const { out, begin } = place(ctx, a, ctx.inputs[0]!.shape, constInts(ctx, 1, 'shape'));
    return shapeSize(out) ? { kernels: [padKernel(ctx, begin, 0, 0)] } : { kernels: [] };
  },
};
