/**
 * LpNormalization — https://onnx.ai/onnx/operators/onnx__LpNormalization.html
 * x / ‖x‖_p along `axis` (default -1), p ∈ {1, 2} (default 2). Opset 1 and 22 are identical.
 */
import { hostTensor, isFloat, type HostTensor } from '../../ir/types.js';
import type { InferContext, OpDef } from '../types.js';
import { rowsKernel } from './rows-kernel.js';
import { need, prod } from './util.js';
import { normAxis } from '../../ir/axis.js';

interface A { axis: number; p: number }

function split(ctx: InferContext, a: A): [number, number, number] {
  const s = need(ctx, 0, 'input').shape;
  const ax = normAxis(ctx, a.axis, s.length);
  return [prod(s.slice(0, ax)), s[ax]!, prod(s.slice(ax + 1))];
}

export const LpNormalization: OpDef<A> = {
  type: 'LpNormalization',
  attrs: (a) => {
    const p = a.int('p', 2);
    if (p !== 1 && p !== 2) throw a.error(`p=${p} is not supported`, 'the ONNX spec allows p = 1 or 2');
    return { axis: a.int('axis', -1), p };
  },
  infer(ctx) {
    const t = need(ctx, 0, 'input');
    if (!isFloat(t.dtype)) throw ctx.error(`input must be a float type, got ${t.dtype}`, 'cast the input to float first');
    return [{ dtype: t.dtype, shape: [...t.shape] }];
  },
  reference([x], a, ctx): HostTensor[] {
    const [outer, R, inner] = split(ctx, a);
    const y = hostTensor(x!.dtype, x!.shape);
    for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) {
      let n = 0;
      for (let r = 0; r < R; r++) { const v = x!.data[(o * R + r) * inner + i]!; n += a.p === 1 ? Math.abs(v) : v * v; }
      if (a.p === 2) n = Math.sqrt(n);
      for (let r = 0; r < R; r++) y.data[(o * R + r) * inner + i] = x!.data[(o * R + r) * inner + i]! / n;
    }
    return [y];
  },
  gpu(ctx, a) {
    const [outer, R, inner] = split(ctx, a);
    const k = rowsKernel({ mode: a.p === 1 ? 'lp1' : 'lp2', outer, R, inner }, 'lpnorm');
    return typeof k === 'string' ? k : { kernels: [k] };
  },
};
