/**
 * Floor — https://onnx.ai/onnx/operators/onnx__Floor.html
 * Integral values, ±Inf and NaN pass through.
 */
import { unary } from './op.js';

export const Floor = unary({
  type: 'Floor', fusable: true, kinds: ['float'],
  wgsl: (x) => `floor(${x})`,
  cpu: (x) => Math.floor(x),
});
