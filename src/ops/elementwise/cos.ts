/**
 * Cos — https://onnx.ai/onnx/operators/onnx__Cos.html
 * Radians.
 * Computed by `ew_sincos` (formula.ts), to ~1e-7 absolute on any device for |x| < 102000.
 */
import { unary } from './op.js';

export const Cos = unary({
  type: 'Cos', fusable: true, kinds: ['float'],
  wgsl: (x) => `ew_sincos(${x}).y`,
  cpu: (x) => Math.cos(x),
});
