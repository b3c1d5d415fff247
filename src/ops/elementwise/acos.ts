/**
 * Acos — https://onnx.ai/onnx/operators/onnx__Acos.html
 * Opset 7+. NaN outside [-1, 1]. Via atan2, like Asin: driver acos builtins can be coarse near ±1.
 */
import { unary } from './op.js';

export const Acos = unary({
  type: 'Acos', kinds: ['float'],
  wgsl: (x) => `atan2(sqrt((1.0 - ${x}) * (1.0 + ${x})), ${x})`,
  cpu: (x) => Math.acos(x),
});
