/**
 * Elu — https://onnx.ai/onnx/operators/onnx__Elu.html
 * alpha defaults to 1: x < 0 ? alpha (e^x - 1) : x.
 */
import { lit } from './formula.js';
import { unary } from './op.js';

export const Elu = unary({
  type: 'Elu', fusable: true, kinds: ['float'],
  params: (a) => ({ alpha: Math.fround(a.float('alpha', 1)) }),
  wgsl: (x, _s, p) => `select(${x}, ${lit(p.alpha, 'f32')} * (exp(${x}) - 1.0), ${x} < 0.0)`,
  cpu: (x, _s, p) => (x < 0 ? p.alpha * Math.expm1(x) : x),
});
