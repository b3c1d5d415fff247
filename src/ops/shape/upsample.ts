/**
 * Upsample — https://onnx.ai/onnx/operators/onnx__Upsample.html (deprecated in opset 10 for Resize)
 * Opset 7–8: `scales` attribute; 9: scales is input 1 (a compile-time constant here). Modes nearest and
 * linear (bilinear accepted), asymmetric coordinates, truncating nearest (as onnxruntime).
 */
import type { InferContext, OpDef } from '../types.js';
import { constInts } from './common.js';
import { resizeKernel, resizeRef, resizeRefusal, type ResizePlan } from './resize-core.js';

interface A { linear: boolean; scales: number[] }

function plan(ctx: InferContext, a: A): ResizePlan {
  const x = ctx.inputs[0]!;
  const scales = ctx.opset >= 9 ? constInts(ctx, 1, 'scales') : a.scales;
  if (scales.length !== x.shape.length || scales.some((s) => !(s >= 1))) throw ctx.error(`scales ${JSON.stringify(scales)} do not fit rank ${x.shape.length}`, 'give one scale >= 1 per axis', { scales });
  return {
    linear: a.linear, coord: 1, nearest: 4, extrapolation: 0, inShape: [...x.shape],
    outShape: x.shape.map((d, k) => Math.floor(Math.fround(d * Math.fround(scales[k]!)))), scales,
    resizedLen: x.shape.map((d, k) => Math.fround(d * Math.fround(scales[k]!))),
    roiStart: scales.map(() => 0), roiEnd: scales.map(() => 1),
  };
}

export const Upsample: OpDef<A> = {
  type: 'Upsample', opsets: [7, 9], constInputs: [1],
  attrs(a, opset) {
    const mode = a.string('mode', 'nearest');
    if (!['nearest', 'linear', 'bilinear'].includes(mode)) throw a.error(`unknown mode '${mode}'`, 'use nearest or linear');
    return { linear: mode !== 'nearest', scales: opset < 9 ? a.floats('scales') : [] };
  },
  infer: (ctx, a) => [{ dtype: ctx.inputs[0]!.dtype, shape: plan(ctx, a).outShape }],
  reference: ([x], a, ctx) => [resizeRef(x!, plan(ctx, a))],
  gpu(ctx, a) {
    const p = plan(ctx, a);
    return resizeRefusal(p, ctx.inputs[0]!.dtype) ?? { kernels: [resizeKernel(ctx, p, ctx.inputs[0]!.dtype)] };
  },
};
