/**
 * Softplus — https://onnx.ai/onnx/operators/onnx__Softplus.html
 * log(1 + e^x), computed without overflow for large x and with log1p accuracy for very negative x.
 */
import { cpuSoftplus } from './formula.js';
import { unary } from './op.js';

export const Softplus = unary({
  type: 'Softplus', fusable: true, kinds: ['float'],
  wgsl: (x) => `ew_softplus(${x})`,
  cpu: (x) => cpuSoftplus(x),
});
