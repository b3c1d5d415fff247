/**
 * DequantizeLinear — https://onnx.ai/onnx/operators/onnx__DequantizeLinear.html
 * y = (x − zero_point) · scale; per-tensor, or per-axis from opset 13 (`axis`, default 1). x is
 * int8/uint8/int32 (one 32-bit word per element). Opset 21 blocked quantization is refused.
 */
import { signature, type Word } from '../../gpu/signature.js';
import { hostArrayFor, shapeSize, storageType } from '../../ir/types.js';
import { declaredKernel, dispatch1d, type InferContext, type OpDef } from '../types.js';
import { linearIndex, perItemMain } from '../wgsl-common.js';
import { perAxis } from './common.js';

interface A { axis: number; blockSize: number }

const sig = (w: Word, hasZp: boolean) => signature({
  params: { n: 'u32', dim: 'u32', inner: 'u32' },
  buffers: [{ name: 'X', elem: w }, { name: 'S', elem: 'f32' }, ...(hasZp ? [{ name: 'Z', elem: w }] : []), { name: 'Y', elem: 'f32', writes: true }],
});

function layout(ctx: InferContext, a: A) {
  const x = ctx.inputs[0]!, s = ctx.inputs[1]!;
  return perAxis(ctx, x.shape, shapeSize(s.shape), a.axis);
}

export const DequantizeLinear: OpDef<A> = {
  type: 'DequantizeLinear', opsets: [10, 99],
  attrs: (a) => ({ axis: a.int('axis', 1), blockSize: a.int('block_size', 0) }),
  infer(ctx, a) {
    const x = ctx.inputs[0]!, s = ctx.inputs[1]!;
    if (a.blockSize) throw ctx.error('blocked quantization (block_size) is not supported', 're-export with per-tensor or per-axis scales');
    if (!['int8', 'uint8', 'int32', 'int16', 'uint16'].includes(x.dtype)) throw ctx.error(`x is ${x.dtype}`, 'DequantizeLinear takes integer inputs');
    layout(ctx, a);
    return [{ dtype: s.dtype, shape: [...x.shape] }];
  },
  reference(inputs, a, ctx) {
    const [x, s, z] = inputs;
    const { dim, inner } = layout(ctx, a);
    const data = hostArrayFor(s!.dtype, x!.data.length);
    for (let i = 0; i < data.length; i++) {
      const c = Math.floor(i / inner) % dim;
      data[i] = (x!.data[i]! - (z ? z.data[c]! : 0)) * s!.data[c]!;
    }
    return [{ dtype: s!.dtype, shape: [...x!.shape], data }];
  },
  gpu(ctx, a) {
    const x = ctx.inputs[0]!;
    const hasZp = !!ctx.inputs[2];
    const { dim, inner } = layout(ctx, a);
    const n = shapeSize(x.shape);
    const w = storageType(x.dtype);
    return { kernels: [declaredKernel({
      name: 'dequantize_linear', key: `dequantize_${w}_${hasZp}`, sig: sig(w, hasZp), workgroups: dispatch1d(n, 64, ctx.caps.maxComputeWorkgroupsPerDimension),
      args: [{ input: 0 }, { input: 1 }, ...(hasZp ? [{ input: 2 }] : []), { output: 0 }],
      params: { n, dim, inner },
      source: () => ({
        requires: [linearIndex(64)],
        body: perItemMain(64, 'i', 'P.n', `  let c = (i / P.inner) % P.dim;
  let q = i32(X_ld(i)) - ${hasZp ? 'i32(Z_ld(c))' : '0'};
  Y_st(i, f32(q) * S_ld(c));`),
      }),
    })] };
  },
};
