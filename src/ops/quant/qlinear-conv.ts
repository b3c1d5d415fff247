/**
 * QLinearConv — https://onnx.ai/onnx/operators/onnx__QLinearConv.html (opset 10)
 * Inputs x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale, y_zero_point, B: ConvInteger's
 * convolution (1-D or 2-D, groups, strides, dilations, pads) of x − x_zero_point and w − w_zero_point,
 * plus the int32 bias B, summed exactly in i32, then requantized (requantize.ts). w's scale and zero point
 * are per tensor or per output channel. onnxruntime's quantizer writes these for `QuantFormat.QOperator`.
 */
import { shapeSize } from '../../ir/types.js';
import type { InferContext, OpDef } from '../types.js';
import { convIntAttrs, geom, intConvPlan, intConvReference, outShape, wzpLen, type A, type IntConvIo } from './conv-integer.js';
import { requantFor } from './requantize.js';

function io(ctx: InferContext, a: A): IntConvIo {
  for (const [i, name] of a.wPacked ? [[0, 'x'] as const] : [[0, 'x'], [3, 'w']] as const) {
    const t = ctx.inputs[i]!.dtype;
    if (t !== 'uint8' && t !== 'int8') throw ctx.error(`input ${name} is ${t}`, 'QLinearConv takes uint8 or int8 x and w');
  }
  const g = geom(ctx, a, { x: 0, w: 3 });
  if (ctx.inputs[2] && shapeSize(ctx.inputs[2].shape) !== 1) throw ctx.error('x_zero_point is not a scalar', 'QLinearConv takes a per-tensor x_zero_point');
  wzpLen(ctx, 5, g.M);
  const b = ctx.inputs[8];
  if (b && (b.dtype !== 'int32' || shapeSize(b.shape) !== g.M)) throw ctx.error(`bias B is ${b.dtype} [${b.shape.join(', ')}]`, `B must be int32 with one value per output channel (${g.M})`, { shape: b.shape });
  return { x: 0, w: 3, zx: ctx.inputs[2] ? 2 : null, zw: ctx.inputs[5] ? 5 : null, bias: b ? 8 : null, requant: requantFor(ctx, { xScale: 1, wScale: 4, yScale: 6, yZero: 7 }, g.M, 'output channel') };
}

export const QLinearConv: OpDef<A> = {
  type: 'QLinearConv', opsets: [10, 99],
  attrs: convIntAttrs,
  infer(ctx, a) {
    const x = io(ctx, a);
    return [{ dtype: x.requant!.out, shape: outShape(geom(ctx, a, x)) }];
  },
  reference: (inputs, a, ctx) => [intConvReference(inputs, a, ctx, io(ctx, a))],
  gpu: (ctx, a) => intConvPlan(ctx, a, io(ctx, a)),
};
