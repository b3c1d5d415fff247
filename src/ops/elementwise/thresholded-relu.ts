/**
 * ThresholdedRelu — https://onnx.ai/onnx/operators/onnx__ThresholdedRelu.html
 * x > alpha ? x : 0, alpha defaults to 1: the same in opset 10+ and as the experimental op before.
 */
import { lit } from './formula.js';
import { unary } from './op.js';

export const ThresholdedRelu = unary({
  type: 'ThresholdedRelu', kinds: ['float'],
  params: (a) => ({ alpha: Math.fround(a.float('alpha', 1)) }),
  wgsl: (x, _s, p) => `select(0.0, ${x}, ${x} > ${lit(p.alpha, 'f32')})`,
  cpu: (x, _s, p) => (x > p.alpha ? x : 0),
});
