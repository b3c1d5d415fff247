/**
 * Add — https://onnx.ai/onnx/operators/onnx__Add.html
 * Numpy broadcasting; integers wrap modulo 2^32 (int64 is computed as int32).
 */
import { binary } from './op.js';

export const Add = binary({
  type: 'Add', fusable: true, kinds: ['float', 'int', 'uint'],
  wgsl: (a, b) => `${a} + ${b}`,
  cpu: (a, b) => a + b,
});
