/**
 * LogSoftmax — https://onnx.ai/onnx/operators/onnx__LogSoftmax.html
 * Same axis semantics as Softmax (opset ≥ 13 one axis, default -1; older: coerce to 2-D at axis,
 * default 1). Computed as x − max − log Σ exp(x − max).
 */
import { softmaxOp } from './softmax-common.js';

export const LogSoftmax = softmaxOp('LogSoftmax');
