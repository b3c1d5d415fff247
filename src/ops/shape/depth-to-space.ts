/**
 * DepthToSpace — https://onnx.ai/onnx/operators/onnx__DepthToSpace.html
 * NCHW; `mode` DCR (default) or CRD (opset 11). Both are a 6-D transpose of a reshaped input, which is
 * how the kernel runs it (one strided gather).
 */
import type { OpDef } from '../types.js';
import { denseStrides, gatherRef, stridedKernel } from './common.js';
import { expectInputs } from '../arity.js';

interface A { b: number; crd: boolean }

export const DepthToSpace: OpDef<A> = {
  type: 'DepthToSpace',
  attrs(a) {
    const mode = a.string('mode', 'DCR');
    if (mode !== 'DCR' && mode !== 'CRD') throw a.error(`unknown mode '${mode}'`, "use 'DCR' or 'CRD'");
    return { b: a.int('blocksize'), crd: mode === 'CRD' };
  },
  infer(ctx, a) {
    // Each op checks its own arity: fuzzed nodes with missing or extra inputs get a NodeError, not a crash.
    expectInputs(ctx, 1, 1);
    const x = ctx.inputs[0]!;
    const [n, c, h, w] = x.shape as [number, number, number, number];
    if (x.shape.length !== 4 || c % (a.b * a.b)) throw ctx.error(`input [${x.shape.join(', ')}] is not NCHW with C divisible by blocksize² = ${a.b * a.b}`, 'check the blocksize', { shape: x.shape });
    return [{ dtype: x.dtype, shape: [n, c / (a.b * a.b), h * a.b, w * a.b] }];
  },
  reference([x], a) {
    const b = a.b, C = x!.shape[1]! / (b * b);
    const [n, , h, w] = x!.shape as [number, number, number, number];
    return [gatherRef(x!, [n, C, h * b, w * b], ([ni, ci, y, z]) => {
      const by = y! % b, bx = z! % b;
      const ch = a.crd ? ci! * b * b + by * b + bx : (by * b + bx) * C + ci!;
      return [ni!, ch, Math.floor(y! / b), Math.floor(z! / b)];
    })];
  },
  gpu(ctx, a) {
    const x = ctx.inputs[0]!, b = a.b;
    const [n, c, h, w] = x.shape as [number, number, number, number];
    const C = c / (b * b);
    // View input as 6-D, transpose to [n, C, h, b, w, b] order.
    const view = a.crd ? [n, C, b, b, h, w] : [n, b, b, C, h, w];
    const perm = a.crd ? [0, 1, 4, 2, 5, 3] : [0, 3, 4, 1, 5, 2];
    const st = denseStrides(view);
    return { kernels: [stridedKernel(ctx, 'depth_to_space', 0, 0, x.dtype, perm.map((k) => view[k]!), perm.map((k) => st[k]!))] };
  },
};
