/**
 * Relu — https://onnx.ai/onnx/operators/onnx__Relu.html
 * Opset 14 adds integer types. NaN passes through (x < 0 is false for NaN).
 */
import { lit } from './formula.js';
import { plainActivation } from '../epilogue.js';
import { unary } from './op.js';

export const Relu = unary({
  type: 'Relu', fusable: true, epilogueActivation: plainActivation('relu'),
  kinds: ['float', 'int'],
  wgsl: (x, s) => `select(${x}, ${lit(0, s)}, ${x} < ${lit(0, s)})`,
  cpu: (x) => (x < 0 ? 0 : x),
});
