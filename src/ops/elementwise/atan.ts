/**
 * Atan — https://onnx.ai/onnx/operators/onnx__Atan.html
 * Opset 7+.
 */
import { unary } from './op.js';

export const Atan = unary({
  type: 'Atan', kinds: ['float'],
  wgsl: (x) => `atan(${x})`,
  cpu: (x) => Math.atan(x),
});
