/**
 * Mul — https://onnx.ai/onnx/operators/onnx__Mul.html
 * Numpy broadcasting; integer products wrap modulo 2^32.
 */
import { binary } from './op.js';

export const Mul = binary({
  type: 'Mul', fusable: true, kinds: ['float', 'int', 'uint'],
  wgsl: (a, b) => `${a} * ${b}`,
  cpu: (a, b, s) => (s === 'f32' ? a * b : Math.imul(a, b)),
});
