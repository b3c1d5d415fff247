/**
 * Acosh — https://onnx.ai/onnx/operators/onnx__Acosh.html
 * Opset 9+. NaN below 1.
 */
import { unary } from './op.js';

export const Acosh = unary({
  type: 'Acosh', kinds: ['float'],
  wgsl: (x) => `acosh(${x})`,
  cpu: (x) => Math.acosh(x),
});
