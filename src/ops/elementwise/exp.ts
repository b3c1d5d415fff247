/**
 * Exp — https://onnx.ai/onnx/operators/onnx__Exp.html
 * Overflows to +Inf like IEEE exp.
 */
import { unary } from './op.js';

export const Exp = unary({
  type: 'Exp', fusable: true, kinds: ['float'],
  wgsl: (x) => `exp(${x})`,
  cpu: (x) => Math.exp(x),
});
