/**
 * Less — https://onnx.ai/onnx/operators/onnx__Less.html
 * Output bool; NaN compares false.
 */
import { binary } from './op.js';

export const Less = binary({
  type: 'Less', fusable: true, kinds: ['float', 'int', 'uint'], out: 'bool',
  wgsl: (a, b) => `ew_b(${a} < ${b})`,
  cpu: (a, b) => (a < b ? 1 : 0),
});
