/**
 * MaxPool — https://onnx.ai/onnx/operators/onnx__MaxPool.html
 * Opsets 1–22: 8 added the Indices output and storage_order, 10 ceil_mode and dilations, 11 the
 * precise auto_pad rule, 12 int8/uint8 types (refused on the GPU: float only). ceil_mode follows
 * ORT/PyTorch (a last window starting past the input and its begin pad is dropped). The optional
 * Indices output (flat index into X, first maximum in window order) is written as i32 words by the
 * same kernel; storage_order=1 makes the spatial part column-major (d + h·D + w·D·H, as ORT).
 * 1, 2 or 3 spatial dims (MaxPool3d of 3-D U-Nets and s3d).
 */
import type { OpDef } from '../types.js';
import { parsePool, poolInfer, poolPlan, poolReference, poolShape, type PoolAttrs } from './pool-common.js';

export const MaxPool: OpDef<PoolAttrs> = {
  type: 'MaxPool',
  optionalOutputs: 1,
  attrs: (a) => {
    const p = parsePool(a);
    if (p.storageOrder !== 0 && p.storageOrder !== 1) throw a.error(`storage_order=${p.storageOrder} is not 0 or 1`, 're-export the model');
    return p;
  },
  infer: (ctx, a) => {
    const [y] = poolInfer(ctx, a);
    const wantIndices = (ctx.node.outputs[1] ?? '') !== '';
    return wantIndices ? [y!, { dtype: 'int64', shape: [...y!.shape] }] : [y!];
  },
  reference: (inputs, a, ctx) => {
    const r = poolReference(inputs[0]!, poolShape(ctx, a), 'max', false, 2, a.storageOrder === 1);
    return (ctx.node.outputs[1] ?? '') !== '' ? [r.y, r.indices] : [r.y];
  },
  gpu: (ctx, a) => {
    return poolPlan(ctx, poolShape(ctx, a), 'max', false, 2, (ctx.node.outputs[1] ?? '') !== '', a.storageOrder === 1);
  },
};
