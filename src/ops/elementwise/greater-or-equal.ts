/**
 * GreaterOrEqual — https://onnx.ai/onnx/operators/onnx__GreaterOrEqual.html
 * Output bool; NaN compares false.
 */
import { binary } from './op.js';

export const GreaterOrEqual = binary({
  type: 'GreaterOrEqual', fusable: true, kinds: ['float', 'int', 'uint'], out: 'bool',
  wgsl: (a, b) => `ew_b(${a} >= ${b})`,
  cpu: (a, b) => (a >= b ? 1 : 0),
});
