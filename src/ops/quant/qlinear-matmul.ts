/**
 * QLinearMatMul — https://onnx.ai/onnx/operators/onnx__QLinearMatMul.html (opsets 10, 21)
 * Inputs a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale, y_zero_point: an int8/uint8
 * matmul (numpy broadcasting, as MatMulInteger) of a − a_zero_point and b − b_zero_point, summed exactly in
 * i32, then requantized (requantize.ts). a's scale is per tensor; b's scale and zero point per tensor or
 * per column. onnxruntime's quantizer writes these for `QuantFormat.QOperator`. Opset 21's float8 types
 * are refused by the uint8/int8 check.
 */
import { shapeSize } from '../../ir/types.js';
import type { InferContext, OpDef } from '../types.js';
import { checkPackedB, dims, intMatMulPlan, intMatMulReference, parsePackedB, zpLen, type IntMatMulIo, type PackedB } from './matmul-integer.js';
import { requantFor } from './requantize.js';

interface A { bPacked: PackedB | null }

function io(ctx: InferContext, at: A): IntMatMulIo {
  for (const i of at.bPacked ? [0] : [0, 3]) {
    const t = ctx.inputs[i]!.dtype;
    if (t !== 'uint8' && t !== 'int8') throw ctx.error(`input ${i === 0 ? 'a' : 'b'} is ${t}`, 'QLinearMatMul takes uint8 or int8 operands');
  }
  checkPackedB(ctx, 3, at.bPacked);
  const d = dims(ctx, { a: 0, b: 3, bPacked: at.bPacked });
  const az = ctx.inputs[2];
  if (az && shapeSize(az.shape) !== 1) throw ctx.error(`a_zero_point has shape [${az.shape.join(', ')}]`, 'QLinearMatMul takes a per-tensor (scalar) a_zero_point');
  zpLen(ctx, 5, d.N, 'b_zero_point');
  return { a: 0, b: 3, bPacked: at.bPacked, za: ctx.inputs[2] ? 2 : null, zb: ctx.inputs[5] ? 5 : null, requant: requantFor(ctx, { xScale: 1, wScale: 4, yScale: 6, yZero: 7 }, d.N, 'column of b') };
}

export const QLinearMatMul: OpDef<A> = {
  type: 'QLinearMatMul', opsets: [10, 99],
  attrs: (a) => ({ bPacked: parsePackedB(a) }),
  infer(ctx, a) {
    const x = io(ctx, a);
    return [{ dtype: x.requant!.out, shape: dims(ctx, x).out }];
  },
  reference: (inputs, a, ctx) => [intMatMulReference(inputs, ctx, io(ctx, a))],
  gpu: (ctx, a) => intMatMulPlan(ctx, io(ctx, a)),
};
