/**
 * GroupNormalization — https://onnx.ai/onnx/operators/onnx__GroupNormalization.html
 * Statistics per (n, group) over the group's C/num_groups channels and all spatial dims, epsilon
 * default 1e-5. Opset 18: scale and bias have one entry per group. Opset 21 changed them to one per
 * channel (the opset-18 form could not express a per-channel affine, which is what torch.nn.GroupNorm
 * and diffusers' UNets have) and added stash_type, accepted here: wgml computes in f32 either way.
 * The C/num_groups channels of a group are contiguous in NC…, so a group is one row of the row kernel.
 */
import { fmtShape, hostTensor, isFloat, type HostTensor } from '../../ir/types.js';
import type { InferContext, OpDef } from '../types.js';
import { rowsKernel } from './rows-kernel.js';
import { moments, need, prod } from './util.js';

interface A { epsilon: number; groups: number; perChannel: boolean }

function dims(ctx: InferContext, a: A): { N: number; C: number; G: number; SP: number } {
  const x = need(ctx, 0, 'X');
  if (x.shape.length < 2) throw ctx.error(`X ${fmtShape(x.shape)} needs rank ≥ 2 (N, C, ...)`, 'GroupNormalization expects NC… layout');
  const C = x.shape[1]!, G = a.groups;
  if (!(G >= 1) || C % G !== 0) throw ctx.error(`num_groups ${G} does not divide the ${C} channels of X ${fmtShape(x.shape)}`, 'num_groups must be a positive divisor of C (X\'s dim 1)', { num_groups: G, channels: C });
  return { N: x.shape[0]!, C, G, SP: prod(x.shape.slice(2)) };
}

export const GroupNormalization: OpDef<A> = {
  type: 'GroupNormalization',
  opsets: [18, 99],
  attrs: (a, opset) => ({ epsilon: a.float('epsilon', 1e-5), groups: a.int('num_groups'), perChannel: opset >= 21 }),
  infer(ctx, a) {
    const x = need(ctx, 0, 'X'), sc = need(ctx, 1, 'scale'), b = need(ctx, 2, 'bias');
    if (!isFloat(x.dtype)) throw ctx.error(`X must be a float type, got ${x.dtype}`, 'cast the input to float first');
    const { C, G } = dims(ctx, a);
    const want = a.perChannel ? C : G;
    if (prod(sc.shape) !== want || prod(b.shape) !== want) {
      throw ctx.error(`scale ${fmtShape(sc.shape)} and bias ${fmtShape(b.shape)} must have ${want} elements (one per ${a.perChannel ? 'channel' : 'group'} at opset ${ctx.opset})`,
        a.perChannel ? 'from opset 21 scale and bias are per channel' : 'below opset 21 scale and bias are per group; per-channel ones need opset 21', { scale: sc.shape, bias: b.shape });
    }
    return [{ dtype: x.dtype, shape: [...x.shape] }];
  },
  reference([x, sc, b], a, ctx): HostTensor[] {
    const { N, C, G, SP } = dims(ctx, a);
    const R = (C / G) * SP;
    const y = hostTensor(x!.dtype, x!.shape);
    for (let n = 0; n < N; n++) for (let g = 0; g < G; g++) {
      const base = (n * G + g) * R;
      const { mean: m, variance } = moments(x!.data, base, R);
      const inv = 1 / Math.sqrt(variance + a.epsilon);
      for (let r = 0; r < R; r++) {
        const k = a.perChannel ? g * (C / G) + Math.floor(r / SP) : g;
        y.data[base + r] = sc!.data[k]! * (x!.data[base + r]! - m) * inv + b!.data[k]!;
      }
    }
    return [y];
  },
  gpu(ctx, a) {
    const { N, C, G, SP } = dims(ctx, a);
    const R = (C / G) * SP;
    // per group: InstanceNormalization's kernel over N·G rows; per channel: the channel of each element
    const k = a.perChannel
      ? rowsKernel({ mode: 'groupnorm', outer: N * G, R, inner: 1, eps: a.epsilon, scale: 1, bias: 2, S: C, SP }, 'groupnorm')
      : rowsKernel({ mode: 'instancenorm', outer: N * G, R, inner: 1, eps: a.epsilon, scale: 1, bias: 2, S: G }, 'groupnorm');
    return typeof k === 'string' ? k : { kernels: [k] };
  },
};
