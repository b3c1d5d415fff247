/**
 * Ceil — https://onnx.ai/onnx/operators/onnx__Ceil.html
 * Integral values, ±Inf and NaN pass through.
 */
import { unary } from './op.js';

export const Ceil = unary({
  type: 'Ceil', fusable: true, kinds: ['float'],
  wgsl: (x) => `ceil(${x})`,
  cpu: (x) => Math.ceil(x),
});
