/**
 * Tan — https://onnx.ai/onnx/operators/onnx__Tan.html
 * Opset 7+. Radians.
 * sin/cos of `ew_sincos` (formula.ts), not the device's tan.
 */
import { unary } from './op.js';

export const Tan = unary({
  type: 'Tan', kinds: ['float'],
  wgsl: (x) => `ew_tan(${x})`,
  cpu: (x) => Math.tan(x),
});
