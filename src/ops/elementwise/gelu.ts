/**
 * Gelu — https://onnx.ai/onnx/operators/onnx__Gelu.html
 * Opset 20. approximate = 'none': x/2 (1 + erf(x/sqrt 2)); 'tanh': x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
 */
import { erf } from '../epilogue.js';
import { unary } from './op.js';

export const Gelu = unary({
  type: 'Gelu', fusable: true, kinds: ['float'], opsets: [20, 99],
  params: (a) => {
    const approximate = a.string('approximate', 'none');
    if (approximate !== 'none' && approximate !== 'tanh') throw a.error(`approximate must be 'none' or 'tanh', got '${approximate}'`, 'see https://onnx.ai/onnx/operators/onnx__Gelu.html');
    return { tanh: approximate === 'tanh' };
  },
  wgsl: (x, _s, p) => (p.tanh
    ? `0.5 * ${x} * (1.0 + ew_tanh(0.7978845608028654 * (${x} + 0.044715 * ${x} * ${x} * ${x})))`
    : `act_gelu(${x})`),
  cpu: (x, _s, p) => (p.tanh
    ? 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)))
    : 0.5 * x * (1 + erf(x / Math.SQRT2))),
});
