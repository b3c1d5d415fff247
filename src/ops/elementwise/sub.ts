/**
 * Sub — https://onnx.ai/onnx/operators/onnx__Sub.html
 * Numpy broadcasting; integers wrap modulo 2^32.
 */
import { binary } from './op.js';

export const Sub = binary({
  type: 'Sub', fusable: true, kinds: ['float', 'int', 'uint'],
  wgsl: (a, b) => `${a} - ${b}`,
  cpu: (a, b) => a - b,
});
