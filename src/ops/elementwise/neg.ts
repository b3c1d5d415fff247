/**
 * Neg — https://onnx.ai/onnx/operators/onnx__Neg.html
 * Signed types only; -INT_MIN wraps to INT_MIN (two-complement).
 */
import { unary } from './op.js';

export const Neg = unary({
  type: 'Neg', fusable: true, kinds: ['float', 'int'],
  wgsl: (x) => `-${x}`,
  cpu: (x) => -x,
});
