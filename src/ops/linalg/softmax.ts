/**
 * Softmax — https://onnx.ai/onnx/operators/onnx__Softmax.html
 * Opset ≥ 13: normalizes along `axis` (default -1). Opsets 1–12: the input is coerced to 2-D at
 * `axis` (default 1) and each row of the flattened tail is normalized. Max-subtracted for stability.
 */
import { softmaxOp } from './softmax-common.js';

export const Softmax = softmaxOp('Softmax');
