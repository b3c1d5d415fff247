/**
 * Size — https://onnx.ai/onnx/operators/onnx__Size.html
 * Scalar int64 (stored as i32) element count; always foldable, the kernel writes it from the uniforms.
 */
import type { OpDef } from '../types.js';
import { hostTensor, shapeSize } from '../../ir/types.js';
import { listFillKernel } from './fill.js';

export const Size: OpDef<Record<string, never>> = {
  type: 'Size',
  attrs: () => ({}),
  infer: () => [{ dtype: 'int64', shape: [] }],
  reference: ([x]) => [hostTensor('int64', [], [shapeSize(x!.shape)])],
  gpu: (ctx) => ({ kernels: [listFillKernel(ctx, 'size', 'int64', [shapeSize(ctx.inputs[0]!.shape)])] }),
};
