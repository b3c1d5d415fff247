/**
 * Tanh — https://onnx.ai/onnx/operators/onnx__Tanh.html
 * Clamped to ±15 before the builtin (tanh is ±1 in f32 there) so no inf/inf appears.
 */
import { plainActivation } from '../epilogue.js';
import { unary } from './op.js';

export const Tanh = unary({
  type: 'Tanh', fusable: true, epilogueActivation: plainActivation('tanh'),
  kinds: ['float'],
  wgsl: (x) => `ew_tanh(${x})`,
  cpu: (x) => Math.tanh(x),
});
