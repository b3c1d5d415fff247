/**
 * Asin — https://onnx.ai/onnx/operators/onnx__Asin.html
 * Opset 7+. NaN outside [-1, 1]. Via atan2: the asin builtin of some drivers (lavapipe) is off by 3e-4 relative near ±1.
 */
import { unary } from './op.js';

export const Asin = unary({
  type: 'Asin', kinds: ['float'],
  wgsl: (x) => `atan2(${x}, sqrt((1.0 - ${x}) * (1.0 + ${x})))`,
  cpu: (x) => Math.asin(x),
});
