/**
 * Shape — https://onnx.ai/onnx/operators/onnx__Shape.html
 * Opset 15 adds `start`/`end` (clamped, negative from the back). int64 output, stored as i32.
 * Always foldable (shapes are static); the kernel writes the dims from the uniform block.
 */
import type { OpDef } from '../types.js';
import { hostTensor } from '../../ir/types.js';
import { listFillKernel } from './fill.js';

interface A { start: number; end: number | null }

function dims(shape: readonly number[], a: A): number[] {
  const r = shape.length;
  const clampIdx = (v: number) => Math.min(r, Math.max(0, v < 0 ? v + r : v));
  return shape.slice(clampIdx(a.start), a.end === null ? r : clampIdx(a.end));
}

export const Shape: OpDef<A> = {
  type: 'Shape',
  attrs: (a) => ({ start: a.int('start', 0), end: a.has('end') ? a.int('end') : null }),
  infer: (ctx, a) => [{ dtype: 'int64', shape: [dims(ctx.inputs[0]!.shape, a).length] }],
  reference: ([x], a) => { const d = dims(x!.shape, a); return [hostTensor('int64', [d.length], d)]; },
  gpu: (ctx, a) => ({ kernels: [listFillKernel(ctx, 'shape', 'int64', dims(ctx.inputs[0]!.shape, a))] }),
};
