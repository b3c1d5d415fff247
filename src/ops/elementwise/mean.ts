/**
 * Mean — https://onnx.ai/onnx/operators/onnx__Mean.html
 * Variadic with broadcasting: the left-to-right sum divided by the input count.
 */
import { variadic } from './op.js';

export const Mean = variadic({
  type: 'Mean', fusable: true, kinds: ['float'],
  wgsl: (a, b) => `(${a} + ${b})`,
  cpu: (a, b) => a + b,
  finish: { wgsl: (acc, n) => `div_rn(${acc}, ${n}.0)`, cpu: (acc, n) => acc / n },
});
