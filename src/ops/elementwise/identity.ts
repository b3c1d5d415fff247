/**
 * Identity — https://onnx.ai/onnx/operators/onnx__Identity.html
 * Any tensor type; a copy in a kernel (the compiler may alias it away).
 */
import { unary } from './op.js';

export const Identity = unary({
  type: 'Identity', fusable: true, kinds: ['float', 'int', 'uint', 'bool'],
  wgsl: (x) => x,
  cpu: (x) => x,
});
