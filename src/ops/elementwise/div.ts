/**
 * Div — https://onnx.ai/onnx/operators/onnx__Div.html
 * Integer division truncates toward zero; x / 0 is x for integers (the WGSL definition; ONNX leaves it undefined).
 */
import { binary } from './op.js';

export const Div = binary({
  type: 'Div', fusable: true, kinds: ['float', 'int', 'uint'],
  wgsl: (a, b) => `${a} / ${b}`,
  cpu: (a, b, s) => (s === 'f32' ? a / b : b === 0 ? a : Math.trunc(a / b)),
});
