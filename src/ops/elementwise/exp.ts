/**
 * Exp — https://onnx.ai/onnx/operators/onnx__Exp.html
 * Overflows to +Inf like IEEE exp.
 */
import { unary } from './op.js';

export const Exp = unary({
  type: 'Exp', kinds: ['float'],
  wgsl: (x) => `exp(${x})`,
  cpu: (x) => Math.exp(x),
});
