/**
 * Sigmoid — https://onnx.ai/onnx/operators/onnx__Sigmoid.html
 * 1 / (1 + e^-x); saturates to 0/1 at ±Inf.
 */
import { plainActivation } from '../epilogue.js';
import { unary } from './op.js';

export const Sigmoid = unary({
  type: 'Sigmoid', fusable: true, epilogueActivation: plainActivation('sigmoid'),
  kinds: ['float'],
  wgsl: (x) => `act_sigmoid(${x})`,
  cpu: (x) => 1 / (1 + Math.exp(-x)),
});
