/**
 * HardSigmoid — https://onnx.ai/onnx/operators/onnx__HardSigmoid.html
 * max(0, min(1, alpha x + beta)), alpha 0.2, beta 0.5.
 */
import { lit } from './formula.js';
import { rawAttr } from '../epilogue.js';
import { unary } from './op.js';

export const HardSigmoid = unary({
  type: 'HardSigmoid', fusable: true,
  epilogueActivation: (n) => ({ act: 'hardsigmoid', params: [rawAttr(n, 'alpha', 0.2), rawAttr(n, 'beta', 0.5)] }),
  kinds: ['float'],
  params: (a) => ({ alpha: Math.fround(a.float('alpha', 0.2)), beta: Math.fround(a.float('beta', 0.5)) }),
  wgsl: (x, _s, p) => `clamp(${lit(p.alpha, 'f32')} * ${x} + ${lit(p.beta, 'f32')}, 0.0, 1.0)`,
  cpu: (x, _s, p) => Math.min(1, Math.max(0, Math.fround(p.alpha * x) + p.beta)),
});
