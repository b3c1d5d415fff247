/**
 * Abs — https://onnx.ai/onnx/operators/onnx__Abs.html
 * Unsigned values are their own absolute value.
 */
import { unary } from './op.js';

export const Abs = unary({
  type: 'Abs', fusable: true, kinds: ['float', 'int', 'uint'],
  wgsl: (x, s) => (s === 'u32' ? x : `abs(${x})`),
  cpu: (x) => Math.abs(x),
});
