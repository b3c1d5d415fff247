/**
 * Min — https://onnx.ai/onnx/operators/onnx__Min.html
 * Variadic with broadcasting; a NaN in any input gives NaN (as numpy.minimum).
 */
import { variadic } from './op.js';

export const Min = variadic({
  type: 'Min', fusable: true, kinds: ['float', 'int', 'uint'],
  wgsl: (a, b, s) => (s === 'f32' ? `ew_minf(${a}, ${b})` : `min(${a}, ${b})`),
  cpu: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b)),
});
