/**
 * Sin — https://onnx.ai/onnx/operators/onnx__Sin.html
 * Radians.
 * Computed by `ew_sincos` (formula.ts), to ~1e-7 absolute on any device for |x| < 102000.
 */
import { unary } from './op.js';

export const Sin = unary({
  type: 'Sin', fusable: true, kinds: ['float'],
  wgsl: (x) => `ew_sincos(${x}).x`,
  cpu: (x) => Math.sin(x),
});
