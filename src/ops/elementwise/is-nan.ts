/**
 * IsNaN — https://onnx.ai/onnx/operators/onnx__IsNaN.html
 * Tested on the bits: x != x may be folded away by shader compilers.
 */
import { unary } from './op.js';

export const IsNaN = unary({
  type: 'IsNaN', fusable: true, kinds: ['float'], out: 'bool',
  wgsl: (x) => `ew_b(ew_isnan(${x}))`,
  cpu: (x) => (Number.isNaN(x) ? 1 : 0),
});
