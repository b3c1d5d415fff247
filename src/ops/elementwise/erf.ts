/**
 * Erf — https://onnx.ai/onnx/operators/onnx__Erf.html
 * GPU: series near 0, Numerical Recipes erfc elsewhere (ops/wgsl-common.ts); CPU: the same approximation in double.
 */
import { erf } from '../epilogue.js';
import { unary } from './op.js';

export const Erf = unary({
  type: 'Erf', fusable: true, kinds: ['float'],
  wgsl: (x) => `act_erf(${x})`,
  cpu: (x) => erf(x),
});
