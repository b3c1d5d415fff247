/**
 * InstanceNormalization — https://onnx.ai/onnx/operators/onnx__InstanceNormalization.html
 * y = scale[c] · (x − mean) / sqrt(var + epsilon) + B[c], statistics per (n, c) over the spatial
 * dims. Opsets 1 and 6 differ only in the legacy consumed_inputs attribute (ignored).
 */
import { fmtShape, hostTensor, isFloat, type HostTensor } from '../../ir/types.js';
import type { OpDef } from '../types.js';
import { rowsKernel } from './rows-kernel.js';
import { moments, need, prod } from './util.js';

interface A { epsilon: number }

export const InstanceNormalization: OpDef<A> = {
  type: 'InstanceNormalization',
  attrs: (a) => ({ epsilon: a.float('epsilon', 1e-5) }),
  infer(ctx) {
    const x = need(ctx, 0, 'input'), sc = need(ctx, 1, 'scale'), b = need(ctx, 2, 'B');
    if (!isFloat(x.dtype)) throw ctx.error(`input must be a float type, got ${x.dtype}`, 'cast the input to float first');
    if (x.shape.length < 2) throw ctx.error(`input ${fmtShape(x.shape)} needs rank ≥ 2 (N, C, ...)`, 'InstanceNormalization expects NC… layout');
    const C = x.shape[1]!;
    if (prod(sc.shape) !== C || prod(b.shape) !== C) throw ctx.error(`scale ${fmtShape(sc.shape)} and B ${fmtShape(b.shape)} must have C=${C} elements`, 'scale and B are per-channel vectors');
    return [{ dtype: x.dtype, shape: [...x.shape] }];
  },
  reference([x, sc, b], a): HostTensor[] {
    const [N, C] = x!.shape as [number, number];
    const S = prod(x!.shape.slice(2));
    const y = hostTensor(x!.dtype, x!.shape);
    for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) {
      const base = (n * C + c) * S;
      const { mean: m, variance: v } = moments(x!.data, base, S);
      for (let s = 0; s < S; s++) y.data[base + s] = sc!.data[c]! * (x!.data[base + s]! - m) / Math.sqrt(v + a.epsilon) + b!.data[c]!;
    }
    return [y];
  },
  gpu(ctx, a) {
    const shape = ctx.inputs[0]!.shape;
    const C = shape[1]!;
    const k = rowsKernel({ mode: 'instancenorm', outer: shape[0]! * C, R: prod(shape.slice(2)), inner: 1, eps: a.epsilon, scale: 1, bias: 2, S: C }, 'instancenorm');
    return typeof k === 'string' ? k : { kernels: [k] };
  },
};
