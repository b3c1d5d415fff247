/**
 * LpPool — https://onnx.ai/onnx/operators/onnx__LpPool.html
 * Opsets 1, 2 (p became an int attribute, default 2), 11 (auto_pad rule), 18 (ceil_mode, dilations).
 * y = (Σ |x|^p)^(1/p) over the window; padded positions are zeros and add nothing. Shares the
 * 1-D/2-D/3-D window kernel of MaxPool and AveragePool (pool-common.ts).
 */
import type { OpDef } from '../types.js';
import { parsePool, poolInfer, poolPlan, poolReference, poolShape, type PoolAttrs } from './pool-common.js';

interface LpAttrs extends PoolAttrs { p: number }

export const LpPool: OpDef<LpAttrs> = {
  type: 'LpPool',
  opsets: [2, 99],
  attrs: (a) => {
    const p = a.int('p', 2);
    if (p < 1) throw a.error(`p=${p} must be >= 1`, 're-export the model with a positive p');
    return { ...parsePool(a), p };
  },
  infer: (ctx, a) => poolInfer(ctx, a),
  reference: (inputs, a, ctx) => [poolReference(inputs[0]!, poolShape(ctx, a), 'lp', false, a.p).y],
  gpu: (ctx, a) => poolPlan(ctx, poolShape(ctx, a), 'lp', false, a.p),
};
