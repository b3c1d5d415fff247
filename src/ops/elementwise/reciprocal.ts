/**
 * Reciprocal — https://onnx.ai/onnx/operators/onnx__Reciprocal.html
 * 1 / x; 1/0 = Inf.
 */
import { unary } from './op.js';

export const Reciprocal = unary({
  type: 'Reciprocal', fusable: true, kinds: ['float'],
  wgsl: (x) => `1.0 / ${x}`,
  cpu: (x) => 1 / x,
});
