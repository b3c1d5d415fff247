/**
 * Tile — https://onnx.ai/onnx/operators/onnx__Tile.html (opset 6+)
 * `repeats` is input 1 (a compile-time constant here), one per axis. Output coordinate c reads c mod in_dim.
 */
import type { OpDef } from '../types.js';
import { checkRank, constInts, denseStrides, gatherRef, stridedKernel } from './common.js';

export const Tile: OpDef<Record<string, never>> = {
  type: 'Tile', opsets: [6, 99], constInputs: [1],
  attrs: () => ({}),
  infer(ctx) {
    const x = ctx.inputs[0]!;
    const rep = constInts(ctx, 1, 'repeats');
    if (rep.length !== x.shape.length || rep.some((r) => r < 0)) throw ctx.error(`repeats ${JSON.stringify(rep)} do not fit rank ${x.shape.length}`, 'give one non-negative repeat per axis', { repeats: rep });
    checkRank(ctx, x.shape);
    return [{ dtype: x.dtype, shape: x.shape.map((d, k) => d * rep[k]!) }];
  },
  reference([x, r]) {
    const out = x!.shape.map((d, k) => d * r!.data[k]!);
    return [gatherRef(x!, out, (c) => c.map((v, k) => v % x!.shape[k]!))];
  },
  gpu(ctx) {
    const x = ctx.inputs[0]!;
    return { kernels: [stridedKernel(ctx, 'tile', 0, 0, x.dtype, ctx.outputs[0]!.shape, denseStrides(x.shape), 0, x.shape)] };
  },
};
