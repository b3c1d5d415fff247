/**
 * Sign — https://onnx.ai/onnx/operators/onnx__Sign.html
 * -1, 0 or 1 in the input type; unsigned values are 0 or 1.
 */
import { unary } from './op.js';

export const Sign = unary({
  type: 'Sign', fusable: true, kinds: ['float', 'int', 'uint'],
  wgsl: (x, s) => (s === 'u32' ? `select(0u, 1u, ${x} > 0u)` : `sign(${x})`),
  cpu: (x) => Math.sign(x),
});
