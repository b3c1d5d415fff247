/**
 * Atanh — https://onnx.ai/onnx/operators/onnx__Atanh.html
 * Opset 9+. NaN outside [-1, 1], ±inf at ±1. 0.5·log((1+x)/(1-x)), with the series x + x³/3 near 0
 * where the log loses relative precision.
 */
import { unary } from './op.js';

export const Atanh = unary({
  type: 'Atanh', kinds: ['float'],
  wgsl: (x) => `select(0.5 * log((1.0 + ${x}) / (1.0 - ${x})), ${x} * (1.0 + ${x} * ${x} * (1.0 / 3.0 + ${x} * ${x} / 5.0)), abs(${x}) < 0.05)`,
  cpu: (x) => Math.atanh(x),
});
