/**
 * Reciprocal — https://onnx.ai/onnx/operators/onnx__Reciprocal.html
 * 1 / x; 1/0 = Inf. Rounded as IEEE division rounds it (`div_rn`, as Div), so Reciprocal(x) = Div(1, x).
 */
import { unary } from './op.js';

export const Reciprocal = unary({
  type: 'Reciprocal', fusable: true, kinds: ['float'],
  wgsl: (x) => `div_rn(1.0, ${x})`,
  cpu: (x) => 1 / x,
});
