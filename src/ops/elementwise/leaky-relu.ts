/**
 * LeakyRelu — https://onnx.ai/onnx/operators/onnx__LeakyRelu.html
 * alpha defaults to 0.01.
 */
import { lit } from './formula.js';
import { rawAttr } from '../epilogue.js';
import { unary } from './op.js';

export const LeakyRelu = unary({
  type: 'LeakyRelu', fusable: true,
  epilogueActivation: (n) => ({ act: 'leakyrelu', params: [rawAttr(n, 'alpha', 0.01)] }),
  kinds: ['float'],
  params: (a) => ({ alpha: Math.fround(a.float('alpha', 0.01)) }),
  wgsl: (x, _s, p) => `select(${x}, ${lit(p.alpha, 'f32')} * ${x}, ${x} < 0.0)`,
  cpu: (x, _s, p) => (x < 0 ? p.alpha * x : x),
});
