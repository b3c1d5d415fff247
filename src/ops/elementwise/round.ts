/**
 * Round — https://onnx.ai/onnx/operators/onnx__Round.html
 * Halves round to even (WGSL's round() is defined the same way).
 */
import { cpuRoundEven } from './formula.js';
import { unary } from './op.js';

export const Round = unary({
  type: 'Round', fusable: true, kinds: ['float'],
  wgsl: (x) => `round(${x})`,
  cpu: (x) => cpuRoundEven(x),
});
