/**
 * Max — https://onnx.ai/onnx/operators/onnx__Max.html
 * Variadic with broadcasting; a NaN in any input gives NaN (as numpy.maximum).
 */
import { variadic } from './op.js';

export const Max = variadic({
  type: 'Max', fusable: true, kinds: ['float', 'int', 'uint'],
  wgsl: (a, b, s) => (s === 'f32' ? `ew_maxf(${a}, ${b})` : `max(${a}, ${b})`),
  cpu: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)),
});
