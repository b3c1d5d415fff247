/**
 * GlobalAveragePool — https://onnx.ai/onnx/operators/onnx__GlobalAveragePool.html
 * Opsets 1–22 (22 only widened the types). Any number of spatial dims; float only on the GPU.
 */
import type { OpDef } from '../types.js';
import { globalInfer, globalPlan, globalReference } from './global-pool-kernel.js';

export const GlobalAveragePool: OpDef<Record<string, never>> = {
  type: 'GlobalAveragePool',
  attrs: () => ({}),
  infer: (ctx) => globalInfer(ctx),
  reference: (inputs) => [globalReference(inputs[0]!, 'avg')],
  gpu: (ctx) => globalPlan(ctx, 'avg'),
};
