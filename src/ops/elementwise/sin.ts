/**
 * Sin — https://onnx.ai/onnx/operators/onnx__Sin.html
 * Radians.
 */
import { unary } from './op.js';

export const Sin = unary({
  type: 'Sin', fusable: true, kinds: ['float'],
  wgsl: (x) => `sin(${x})`,
  cpu: (x) => Math.sin(x),
});
