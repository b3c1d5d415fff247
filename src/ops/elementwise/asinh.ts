/**
 * Asinh — https://onnx.ai/onnx/operators/onnx__Asinh.html
 * Opset 9+. Computed on |x| and signed afterwards (log(x + sqrt(x²+1)) cancels for negative x);
 * the series x - x³/6 near 0 keeps relative precision.
 */
import { unary } from './op.js';

export const Asinh = unary({
  type: 'Asinh', kinds: ['float'],
  wgsl: (x) => `select(sign(${x}) * log(abs(${x}) + sqrt(${x} * ${x} + 1.0)), ${x} * (1.0 - ${x} * ${x} / 6.0), abs(${x}) < 0.01)`,
  cpu: (x) => Math.asinh(x),
});
