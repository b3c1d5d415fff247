/**
 * AveragePool — https://onnx.ai/onnx/operators/onnx__AveragePool.html
 * Opsets 1–22: 7 added count_include_pad, 10 ceil_mode, 11 the precise auto_pad rule, 19 dilations.
 * With count_include_pad=1 the divisor counts window taps inside the padded extent only (a ceil_mode
 * window that runs past the end padding is not divided by the full kernel size), as ORT and PyTorch.
 * 1, 2 or 3 spatial dims.
 */
import type { OpDef } from '../types.js';
import { parsePool, poolInfer, poolPlan, poolReference, poolShape, type PoolAttrs } from './pool-common.js';

export const AveragePool: OpDef<PoolAttrs> = {
  type: 'AveragePool',
  attrs: (a) => parsePool(a),
  infer: (ctx, a) => poolInfer(ctx, a),
  reference: (inputs, a, ctx) => [poolReference(inputs[0]!, poolShape(ctx, a), 'avg', a.countIncludePad).y],
  gpu: (ctx, a) => poolPlan(ctx, poolShape(ctx, a), 'avg', a.countIncludePad),
};
