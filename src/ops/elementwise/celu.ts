/**
 * Celu — https://onnx.ai/onnx/operators/onnx__Celu.html
 * Opset 12+. max(0, x) + min(0, alpha (e^(x/alpha) - 1)), alpha defaults to 1 (float32 only in the spec).
 */
import { lit } from './formula.js';
import { unary } from './op.js';

export const Celu = unary({
  type: 'Celu', kinds: ['float'], opsets: [12, 99],
  params: (a) => {
    const alpha = Math.fround(a.float('alpha', 1));
    if (alpha === 0) throw a.error('alpha must not be 0', 'Celu divides by alpha; use a non-zero alpha');
    return { alpha };
  },
  wgsl: (x, _s, p) => `(max(${x}, 0.0) + min(0.0, ${lit(p.alpha, 'f32')} * (exp(${x} / ${lit(p.alpha, 'f32')}) - 1.0)))`,
  cpu: (x, _s, p) => Math.max(x, 0) + Math.min(0, p.alpha * Math.expm1(x / p.alpha)),
});
