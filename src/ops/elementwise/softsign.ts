/**
 * Softsign — https://onnx.ai/onnx/operators/onnx__Softsign.html
 * x / (1 + |x|).
 */
import { unary } from './op.js';

export const Softsign = unary({
  type: 'Softsign', fusable: true, kinds: ['float'],
  wgsl: (x) => `${x} / (1.0 + abs(${x}))`,
  cpu: (x) => x / (1 + Math.abs(x)),
});
