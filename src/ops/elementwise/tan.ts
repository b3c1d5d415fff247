/**
 * Tan — https://onnx.ai/onnx/operators/onnx__Tan.html
 * Opset 7+. Radians.
 */
import { unary } from './op.js';

export const Tan = unary({
  type: 'Tan', kinds: ['float'],
  wgsl: (x) => `tan(${x})`,
  cpu: (x) => Math.tan(x),
});
