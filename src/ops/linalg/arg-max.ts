/**
 * ArgMax — https://onnx.ai/onnx/operators/onnx__ArgMax.html
 * Index of the largest element along `axis` (default 0), int64 output (computed as i32);
 * keepdims default 1; select_last_index from opset 12 picks the last of equal maxima.
 */
import { argOp } from './arg-common.js';

export const ArgMax = argOp('ArgMax');
