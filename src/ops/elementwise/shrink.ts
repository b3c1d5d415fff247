/**
 * Shrink — https://onnx.ai/onnx/operators/onnx__Shrink.html
 * Opset 9+. x < -lambd ? x + bias : x > lambd ? x - bias : 0 (lambd 0.5, bias 0). The spec allows
 * integer tensors too: there the comparison is done in f32 and bias is truncated toward zero.
 */
import { lit } from './formula.js';
import { unary } from './op.js';

export const Shrink = unary({
  type: 'Shrink', kinds: ['float', 'int', 'uint'], opsets: [9, 99],
  params: (a) => ({ lambd: Math.fround(a.float('lambd', 0.5)), bias: Math.fround(a.float('bias', 0)) }),
  wgsl: (x, s, p) => {
    const fx = s === 'f32' ? x : `f32(${x})`;
    const b = s === 'f32' ? lit(p.bias, 'f32') : s === 'i32' ? lit(Math.trunc(p.bias), 'i32') : lit(Math.trunc(p.bias), 'u32');
    const z = s === 'f32' ? '0.0' : `${s}(0)`;
    return `select(select(${z}, ${x} - ${b}, ${fx} > ${lit(p.lambd, 'f32')}), ${x} + ${b}, ${fx} < ${lit(-p.lambd, 'f32')})`;
  },
  cpu: (x, s, p) => {
    const b = s === 'f32' ? p.bias : Math.trunc(p.bias);
    return x < -p.lambd ? x + b : x > p.lambd ? x - b : 0;
  },
});
