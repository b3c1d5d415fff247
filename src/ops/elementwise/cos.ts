/**
 * Cos — https://onnx.ai/onnx/operators/onnx__Cos.html
 * Radians.
 */
import { unary } from './op.js';

export const Cos = unary({
  type: 'Cos', fusable: true, kinds: ['float'],
  wgsl: (x) => `cos(${x})`,
  cpu: (x) => Math.cos(x),
});
