/**
 * Equal — https://onnx.ai/onnx/operators/onnx__Equal.html
 * Output bool; NaN compares false (and unequal to itself).
 */
import { binary } from './op.js';

export const Equal = binary({
  type: 'Equal', fusable: true, kinds: ['float', 'int', 'uint', 'bool'], out: 'bool',
  wgsl: (a, b) => `ew_b(${a} == ${b})`,
  cpu: (a, b) => (a === b ? 1 : 0),
});
