/**
 * Log — https://onnx.ai/onnx/operators/onnx__Log.html
 * Natural log: log(0) = -Inf, log(x < 0) = NaN.
 */
import { unary } from './op.js';

export const Log = unary({
  type: 'Log', fusable: true, kinds: ['float'],
  wgsl: (x) => `select(select(log(${x}), -ew_inf(), ${x} == 0.0), ew_nan(), ${x} < 0.0)`,
  cpu: (x) => Math.log(x),
});
