/**
 * Sqrt — https://onnx.ai/onnx/operators/onnx__Sqrt.html
 * sqrt(x < 0) = NaN.
 */
import { unary } from './op.js';

export const Sqrt = unary({
  type: 'Sqrt', fusable: true, kinds: ['float'],
  wgsl: (x) => `select(sqrt(${x}), ew_nan(), ${x} < 0.0)`,
  cpu: (x) => Math.sqrt(x),
});
