/**
 * Selu — https://onnx.ai/onnx/operators/onnx__Selu.html
 * x > 0 ? gamma x : gamma (alpha e^x - alpha), with the float32 defaults of the spec.
 */
import { lit } from './formula.js';
import { unary } from './op.js';

export const Selu = unary({
  type: 'Selu', fusable: true, kinds: ['float'],
  params: (a) => ({ alpha: Math.fround(a.float('alpha', 1.67326319217681884765625)), gamma: Math.fround(a.float('gamma', 1.05070102214813232421875)) }),
  wgsl: (x, _s, p) => `select(${lit(p.gamma, 'f32')} * ${x}, ${lit(p.gamma, 'f32')} * (${lit(p.alpha, 'f32')} * exp(${x}) - ${lit(p.alpha, 'f32')}), ${x} <= 0.0)`,
  cpu: (x, _s, p) => (x > 0 ? p.gamma * x : p.gamma * (p.alpha * Math.exp(x) - p.alpha)),
});
