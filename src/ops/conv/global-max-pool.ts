/**
 * GlobalMaxPool — https://onnx.ai/onnx/operators/onnx__GlobalMaxPool.html
 * Opsets 1–22 (22 only widened the types). Any number of spatial dims; float only on the GPU.
 */
import type { OpDef } from '../types.js';
import { globalPoolOp } from './global-pool-kernel.js';

export const GlobalMaxPool: OpDef<Record<string, never>> = globalPoolOp('GlobalMaxPool', 'max');
