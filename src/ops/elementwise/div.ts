/**
 * Div — https://onnx.ai/onnx/operators/onnx__Div.html
 * Integer division truncates toward zero; x / 0 is x for integers (the WGSL definition; ONNX leaves it undefined).
 * Float division is rounded as IEEE rounds it (`div_rn`), not WGSL's `/` (2.5 ulp, and NVIDIA's is that far
 * off): a model that rounds or floors a quotient (quantization, index arithmetic) then gives the CPU's result.
 */
import { binary } from './op.js';

export const Div = binary({
  type: 'Div', fusable: true, kinds: ['float', 'int', 'uint'],
  wgsl: (a, b, s) => (s === 'f32' ? `div_rn(${a}, ${b})` : `${a} / ${b}`),
  cpu: (a, b, s) => (s === 'f32' ? a / b : b === 0 ? a : Math.trunc(a / b)),
});
