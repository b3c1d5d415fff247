/**
 * ReduceSum — https://onnx.ai/onnx/operators/onnx__ReduceSum.html
 * axes: attribute before opset 13, constant input 1 from opset 13 (listed in constInputs);
 * keepdims (default 1); noop_with_empty_axes (opset ≥ 13/18) makes empty axes an identity-shaped map.
 */
import { reduceOp } from './reduce-common.js';

export const ReduceSum = reduceOp('ReduceSum', 'sum', 13);
