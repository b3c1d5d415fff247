/**
 * Not — https://onnx.ai/onnx/operators/onnx__Not.html
 * Logical not of a bool (stored as 0/1 words).
 */
import { unary } from './op.js';

export const Not = unary({
  type: 'Not', fusable: true, kinds: ['bool'],
  wgsl: (x) => `ew_b(${x} == 0i)`,
  cpu: (x) => (x === 0 ? 1 : 0),
});
