/**
 * ReduceMean — https://onnx.ai/onnx/operators/onnx__ReduceMean.html
 * axes: attribute before opset 18, constant input 1 from opset 18 (listed in constInputs);
 * keepdims (default 1); noop_with_empty_axes (opset ≥ 13/18) makes empty axes an identity-shaped map.
 */
import { reduceOp } from './reduce-common.js';

export const ReduceMean = reduceOp('ReduceMean', 'mean', 18);
