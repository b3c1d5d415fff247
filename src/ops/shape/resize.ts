/**
 * Resize — https://onnx.ai/onnx/operators/onnx__Resize.html
 * Opset 10: (X, scales), asymmetric coordinates, onnxruntime's nearest rounding. Opset 11+: (X, roi,
 * scales, sizes) with coordinate_transformation_mode and nearest_mode; 13 makes roi/scales optional;
 * 18 adds `axes` and `keep_aspect_ratio_policy`; 19 `half_pixel_symmetric`. scales/sizes/roi must be
 * compile-time constants. Modes nearest, linear and cubic (cubic_coeff_a, exclude_outside; any rank,
 * with a fast path for NCHW resizes of H and W); antialias is refused.
 */
import type { InferContext, OpDef } from '../types.js';
import { optConstInts } from './common.js';
import { normAxis } from '../../ir/axis.js';
import { COORD_MODES, NEAREST_MODES, resizeKernel, resizeRef, resizeRefusal, type ResizePlan } from './resize-core.js';
import { expectInputs } from '../arity.js';

interface A { mode: string; coord: number; nearest: number; extrapolation: number; antialias: boolean; axes: number[] | null; policy: string; cubicA: number; exclude: boolean }

function plan(ctx: InferContext, a: A): ResizePlan {
  const x = ctx.inputs[0]!, r = x.shape.length;
  const inShape = [...x.shape];
  const axes = a.axes ? a.axes.map((v) => normAxis(ctx, v, r, 'resize axis')) : [...Array(r).keys()];
  const scalesIn = ctx.opset < 11 ? optConstInts(ctx, 1, 'scales') : optConstInts(ctx, 2, 'scales');
  const sizesIn = ctx.opset < 11 ? undefined : optConstInts(ctx, 3, 'sizes');
  const roiIn = ctx.opset < 11 ? undefined : optConstInts(ctx, 1, 'roi');
  const scales = Array(r).fill(1), outShape = [...inShape];
  const roiStart = Array(r).fill(0), roiEnd = Array(r).fill(1);
  if (roiIn && roiIn.length === 2 * axes.length) axes.forEach((k, i) => { roiStart[k] = roiIn[i]!; roiEnd[k] = roiIn[i + axes.length]!; });
  if (sizesIn && sizesIn.length) {
    if (sizesIn.length !== axes.length) throw ctx.error(`sizes has ${sizesIn.length} entries for ${axes.length} axes`, 'give one size per axis');
    let sizes = sizesIn;
    if (a.policy !== 'stretch') {
      const ratios = axes.map((k, i) => sizesIn[i]! / inShape[k]!);
      const s = a.policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
      sizes = axes.map((k) => Math.round(s * inShape[k]!));
      axes.forEach((k) => { scales[k] = s; });
    } else axes.forEach((k, i) => { scales[k] = sizes[i]! / inShape[k]!; });
    axes.forEach((k, i) => { outShape[k] = sizes[i]!; });
  } else if (scalesIn && scalesIn.length) {
    if (scalesIn.length !== axes.length) throw ctx.error(`scales has ${scalesIn.length} entries for ${axes.length} axes`, 'give one scale per axis');
    axes.forEach((k, i) => {
      if (!(scalesIn[i]! > 0)) throw ctx.error(`scale ${scalesIn[i]} is not positive`, 'scales must be > 0');
      scales[k] = scalesIn[i]!;
      // The product is taken in f32, then floored (as onnxruntime and the ONNX reference do).
      outShape[k] = Math.floor(Math.fround(inShape[k]! * Math.fround(scalesIn[i]!)));
    });
  } else throw ctx.error('neither scales nor sizes is given', 'give exactly one of them as a constant');
  const resizedLen = inShape.map((d, k) => (sizesIn && sizesIn.length ? outShape[k]! : Math.fround(d * Math.fround(scales[k]!))));
  return { linear: a.mode === 'linear', ...(a.mode === 'cubic' ? { cubic: { a: a.cubicA, exclude: a.exclude } } : {}), coord: a.coord, nearest: a.nearest, extrapolation: a.extrapolation, inShape, outShape, scales, resizedLen, roiStart, roiEnd };
}

function check(ctx: InferContext, a: A): string | null {
  if (a.antialias) return 'antialiased Resize (antialias=1) is not implemented';
  return resizeRefusal(plan(ctx, a), ctx.inputs[0]!.dtype);
}

export function resizeAttrs(mode: string, coord: string, nearest: string, err: (m: string, h: string) => Error): Pick<A, 'mode' | 'coord' | 'nearest'> {
  const c = COORD_MODES.indexOf(coord as typeof COORD_MODES[number]);
  const n = NEAREST_MODES.indexOf(nearest as typeof NEAREST_MODES[number]);
  if (!['nearest', 'linear', 'cubic'].includes(mode)) throw err(`unknown mode '${mode}'`, 'use nearest, linear or cubic');
  if (c < 0) throw err(`unknown coordinate_transformation_mode '${coord}'`, `use one of ${COORD_MODES.join(', ')}`);
  if (n < 0) throw err(`unknown nearest_mode '${nearest}'`, `use one of ${NEAREST_MODES.join(', ')}`);
  return { mode, coord: c, nearest: n };
}

export const Resize: OpDef<A> = {
  type: 'Resize', opsets: [10, 99], constInputs: [1, 2, 3],
  attrs(a, opset) {
    const m = resizeAttrs(a.string('mode', 'nearest'), opset < 11 ? 'asymmetric' : a.string('coordinate_transformation_mode', 'half_pixel'),
      opset < 11 ? 'simple' : a.string('nearest_mode', 'round_prefer_floor'), (msg, h) => a.error(msg, h));
    const policy = a.string('keep_aspect_ratio_policy', 'stretch');
    if (!['stretch', 'not_larger', 'not_smaller'].includes(policy)) throw a.error(`unknown keep_aspect_ratio_policy '${policy}'`, 'use stretch, not_larger or not_smaller');
    return { ...m, extrapolation: a.float('extrapolation_value', 0), antialias: a.int('antialias', 0) === 1, axes: a.has('axes') ? a.ints('axes') : null, policy,
      cubicA: a.float('cubic_coeff_a', -0.75), exclude: a.int('exclude_outside', 0) === 1 };
  },
  infer: (ctx, a) => {
    // Each op checks its own arity: fuzzed nodes with missing or extra inputs get a NodeError, not a crash.
    expectInputs(ctx, ctx.opset < 11 ? 2 : 1, ctx.opset < 11 ? 2 : 4);
    return [{ dtype: ctx.inputs[0]!.dtype, shape: plan(ctx, a).outShape }];
  },
  reference(inputs, a, ctx) {
    const why = check(ctx, a);
    if (why) throw ctx.error(why, 're-export with antialias=0, and a float input for linear or cubic resizing');
    return [resizeRef(inputs[0]!, plan(ctx, a))];
  },
  gpu: (ctx, a) => check(ctx, a) ?? { kernels: [resizeKernel(ctx, plan(ctx, a), ctx.inputs[0]!.dtype)] },
};
