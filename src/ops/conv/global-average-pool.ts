/**
 * GlobalAveragePool — https://onnx.ai/onnx/operators/onnx__GlobalAveragePool.html
 * Opsets 1–22 (22 only widened the types). Any number of spatial dims; float only on the GPU.
 */
import type { OpDef } from '../types.js';
import { globalPoolOp } from './global-pool-kernel.js';

export const GlobalAveragePool: OpDef<Record<string, never>> = globalPoolOp('GlobalAveragePool', 'avg');
