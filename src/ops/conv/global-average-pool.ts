/**
 * GlobalAveragePool — https://onnx.ai/onnx/operators/onnx__GlobalAveragePool.html
 * Opsets 1–22 (22 only widened the types). Any number of spatial dims; float only on the GPU.
 */
import type { OpDef } from '../types.js';
import { globalInfer, globalPlan, globalReference } from './global-pool-kernel.js';
import { expectInputs } from '../arity.js';

export const GlobalAveragePool: OpDef<Record<string, never>> = {
  type: 'GlobalAveragePool',
  attrs: () => ({}),
  infer: (ctx) => {
    // Each op checks its own arity: fuzzed nodes with missing or extra inputs get a NodeError, not a crash.
    expectInputs(ctx, 1, 1);
    return globalInfer(ctx);
  },
  reference: (inputs) => [globalReference(inputs[0]!, 'avg')],
  gpu: (ctx) => globalPlan(ctx, 'avg'),
};
