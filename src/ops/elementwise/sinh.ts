/**
 * Sinh — https://onnx.ai/onnx/operators/onnx__Sinh.html
 * Opset 9+. (e^x - e^-x) / 2 cancels near 0, so small |x| uses the Taylor series (error < 1e-9 rel).
 */
import { unary } from './op.js';

export const Sinh = unary({
  type: 'Sinh', kinds: ['float'],
  wgsl: (x) => `select(0.5 * (exp(${x}) - exp(-${x})), ${x} * (1.0 + ${x} * ${x} * (1.0 / 6.0 + ${x} * ${x} / 120.0)), abs(${x}) < 0.1)`,
  cpu: (x) => Math.sinh(x),
});
