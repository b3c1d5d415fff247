/**
 * Greater — https://onnx.ai/onnx/operators/onnx__Greater.html
 * Output bool; NaN compares false.
 */
import { binary } from './op.js';

export const Greater = binary({
  type: 'Greater', fusable: true, kinds: ['float', 'int', 'uint'], out: 'bool',
  wgsl: (a, b) => `ew_b(${a} > ${b})`,
  cpu: (a, b) => (a > b ? 1 : 0),
});
