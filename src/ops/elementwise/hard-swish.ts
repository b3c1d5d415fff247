/**
 * HardSwish — https://onnx.ai/onnx/operators/onnx__HardSwish.html
 * Opset 14: x max(0, min(1, x/6 + 1/2)).
 */
import { plainActivation } from '../epilogue.js';
import { unary } from './op.js';

export const HardSwish = unary({
  type: 'HardSwish', fusable: true, epilogueActivation: plainActivation('hardswish'),
  kinds: ['float'], opsets: [14, 99],
  wgsl: (x) => `${x} * clamp(${x} / 6.0 + 0.5, 0.0, 1.0)`,
  cpu: (x) => x * Math.min(1, Math.max(0, x / 6 + 0.5)),
});
