/**
 * ArgMin — https://onnx.ai/onnx/operators/onnx__ArgMin.html
 * Index of the smallest element along `axis` (default 0), int64 output (computed as i32);
 * keepdims default 1; select_last_index from opset 12 picks the last of equal minima.
 */
import { argOp } from './arg-common.js';

export const ArgMin = argOp('ArgMin');
