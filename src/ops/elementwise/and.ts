/**
 * And — https://onnx.ai/onnx/operators/onnx__And.html
 * Bool inputs (0/1 words).
 */
import { binary } from './op.js';

export const And = binary({
  type: 'And', fusable: true, kinds: ['bool'],
  wgsl: (a, b) => `ew_b(${a} != 0i && ${b} != 0i)`,
  cpu: (a, b) => (a !== 0 && b !== 0 ? 1 : 0),
});
