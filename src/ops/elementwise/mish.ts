/**
 * Mish — https://onnx.ai/onnx/operators/onnx__Mish.html
 * Opset 18: x tanh(softplus(x)).
 */
import { cpuSoftplus } from './formula.js';
import { unary } from './op.js';

export const Mish = unary({
  type: 'Mish', fusable: true, kinds: ['float'], opsets: [18, 99],
  wgsl: (x) => `${x} * ew_tanh(ew_softplus(${x}))`,
  cpu: (x) => x * Math.tanh(cpuSoftplus(x)),
});
