/**
 * Cosh — https://onnx.ai/onnx/operators/onnx__Cosh.html
 * Opset 9+.
 */
import { unary } from './op.js';

export const Cosh = unary({
  type: 'Cosh', kinds: ['float'],
  wgsl: (x) => `cosh(${x})`,
  cpu: (x) => Math.cosh(x),
});
