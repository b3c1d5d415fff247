/**
 * Range — https://onnx.ai/onnx/operators/onnx__Range.html (opset 11)
 * start, limit, delta are scalar inputs; they must be compile-time constants (the length is a shape).
 * Length is max(ceil((limit − start) / delta), 0); element i is start + i · delta.
 */
import type { OpDef } from '../types.js';
import { hostArrayFor, isFloat, type HostTensor } from '../../ir/types.js';
import { constInts } from './common.js';
import { progressionKernel } from './fill.js';

function length(start: number, limit: number, delta: number): number {
  return Math.max(Math.ceil((limit - start) / delta), 0);
}

export const Range: OpDef<Record<string, never>> = {
  type: 'Range', opsets: [11, 99], constInputs: [0, 1, 2],
  attrs: () => ({}),
  infer(ctx) {
    const [s, l, d] = [0, 1, 2].map((i) => constInts(ctx, i, ['start', 'limit', 'delta'][i]!)[0]!);
    if (d === 0) throw ctx.error('delta is 0', 'Range needs a non-zero delta');
    return [{ dtype: ctx.inputs[0]!.dtype, shape: [length(s!, l!, d!)] }];
  },
  reference(inputs): HostTensor[] {
    const [s, l, d] = inputs.map((t) => t!.data[0]!);
    const dtype = inputs[0]!.dtype;
    const n = length(s!, l!, d!);
    const data = hostArrayFor(dtype, n);
    // f32 arithmetic as the kernel's word type does it: round the product, then the sum.
    for (let i = 0; i < n; i++) data[i] = isFloat(dtype) ? Math.fround(s! + Math.fround(i * d!)) : s! + i * d!;
    return [{ dtype, shape: [n], data }];
  },
  gpu: (ctx) => {
    const c = (i: number) => ctx.constant(i)!.data[0]!;
    return { kernels: [progressionKernel(ctx, 'range', ctx.inputs[0]!.dtype, ctx.outputs[0]!.shape[0]!, c(0), c(2))] };
  },
};
