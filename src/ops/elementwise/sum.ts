/**
 * Sum — https://onnx.ai/onnx/operators/onnx__Sum.html
 * Variadic with broadcasting, summed left to right.
 */
import { variadic } from './op.js';

export const Sum = variadic({
  type: 'Sum', fusable: true, kinds: ['float', 'int', 'uint'],
  wgsl: (a, b) => `(${a} + ${b})`,
  cpu: (a, b) => a + b,
});
