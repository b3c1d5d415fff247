/**
 * SpaceToDepth — https://onnx.ai/onnx/operators/onnx__SpaceToDepth.html
 * NCHW; output channel (by·b + bx)·C + c reads pixel (y·b + by, x·b + bx). One strided gather.
 */
import type { OpDef } from '../types.js';
import { denseStrides, gatherRef, stridedKernel } from './common.js';
import { expectInputs } from '../arity.js';

interface A { b: number }

export const SpaceToDepth: OpDef<A> = {
  type: 'SpaceToDepth',
  attrs: (a) => ({ b: a.int('blocksize') }),
  infer(ctx, a) {
    // Each op checks its own arity: fuzzed nodes with missing or extra inputs get a NodeError, not a crash.
    expectInputs(ctx, 1, 1);
    const x = ctx.inputs[0]!;
    const [n, c, h, w] = x.shape as [number, number, number, number];
    if (x.shape.length !== 4 || h % a.b || w % a.b) throw ctx.error(`input [${x.shape.join(', ')}] is not NCHW with H and W divisible by blocksize ${a.b}`, 'check the blocksize', { shape: x.shape });
    return [{ dtype: x.dtype, shape: [n, c * a.b * a.b, h / a.b, w / a.b] }];
  },
  reference([x], a) {
    const b = a.b;
    const [n, c, h, w] = x!.shape as [number, number, number, number];
    return [gatherRef(x!, [n, c * b * b, h / b, w / b], ([ni, ch, y, z]) => {
      const blk = Math.floor(ch! / c), ci = ch! % c;
      return [ni!, ci, y! * b + Math.floor(blk / b), z! * b + (blk % b)];
    })];
  },
  gpu(ctx, a) {
    const x = ctx.inputs[0]!, b = a.b;
    const [n, c, h, w] = x.shape as [number, number, number, number];
    const view = [n, c, h / b, b, w / b, b];
    const perm = [0, 3, 5, 1, 2, 4];
    const st = denseStrides(view);
    return { kernels: [stridedKernel(ctx, 'space_to_depth', 0, 0, x.dtype, perm.map((k) => view[k]!), perm.map((k) => st[k]!))] };
  },
};
