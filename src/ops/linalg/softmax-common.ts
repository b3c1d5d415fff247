/** Shared by Softmax and LogSoftmax: axis semantics per opset and the CPU reference. */
import { hostTensor, isFloat, type HostTensor } from '../../ir/types.js';
import type { InferContext, OpDef } from '../types.js';
import { rowsKernel } from './rows-kernel.js';
import { need, prod } from './util.js';
import { normAxis } from '../../ir/axis.js';

export interface SoftmaxAttrs { axis: number }

/** [outer, R, inner]: opset ≥ 13 reduces one axis; older opsets coerce to 2-D at `axis` and reduce the flattened tail. */
function split(ctx: InferContext, a: SoftmaxAttrs): [number, number, number] {
  const shape = need(ctx, 0, 'input').shape;
  if (shape.length === 0) return [1, 1, 1];
  const ax = normAxis(ctx, a.axis, shape.length);
  if (ctx.opset >= 13) return [prod(shape.slice(0, ax)), shape[ax]!, prod(shape.slice(ax + 1))];
  return [prod(shape.slice(0, ax)), prod(shape.slice(ax)), 1];
}

export function softmaxOp(type: 'Softmax' | 'LogSoftmax'): OpDef<SoftmaxAttrs> {
  const log = type === 'LogSoftmax';
  return {
    type,
    attrs: (a, opset) => ({ axis: a.int('axis', opset >= 13 ? -1 : 1) }),
    infer(ctx) {
      const t = need(ctx, 0, 'input');
      if (!isFloat(t.dtype)) throw ctx.error(`${type} needs a float input, got ${t.dtype}`, 'cast the input to float first');
      return [{ dtype: t.dtype, shape: [...t.shape] }];
    },
    reference([x], a, ctx): HostTensor[] {
      const [outer, R, inner] = split(ctx, a);
      const y = hostTensor(x!.dtype, x!.shape);
      for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) {
        const idx = (r: number) => (o * R + r) * inner + i;
        let m = -Infinity;
        for (let r = 0; r < R; r++) m = Math.max(m, x!.data[idx(r)]!);
        let s = 0;
        for (let r = 0; r < R; r++) s += Math.exp(x!.data[idx(r)]! - m);
        for (let r = 0; r < R; r++) y.data[idx(r)] = log ? x!.data[idx(r)]! - m - Math.log(s) : Math.exp(x!.data[idx(r)]! - m) / s;
      }
      return [y];
    },
    // The input may be a strided view (e.g. attention scores of a transposed product), and the output
    // may be written through one.
    viewInputs: [0],
    viewOutput: true,
    gpu(ctx, a) {
      const [outer, R, inner] = split(ctx, a);
      const shape = ctx.inputs[0]!.shape;
      const ax = shape.length ? normAxis(ctx, a.axis, shape.length) : 0;
      const layout = shape.length ? { shape, red: [ax, ctx.opset >= 13 ? ax + 1 : shape.length] as const, x: ctx.views?.[0] ?? null, y: ctx.outView ?? null } : undefined;
      const k = rowsKernel({ mode: log ? 'logsoftmax' : 'softmax', outer, R, inner, ...(layout ? { layout } : {}) }, type.toLowerCase());
      return typeof k === 'string' ? k : { kernels: [k] };
    },
  };
}
