/**
 * QuantizeLinear — https://onnx.ai/onnx/operators/onnx__QuantizeLinear.html
 * y = saturate(round_half_even(x / scale) + zero_point); output type is the zero point's (uint8 when
 * absent; opset 21 `output_dtype` may name int8/uint8). Per-tensor, or per-axis from opset 13.
 * Stored as one u32/i32 word per element. Blocked quantization (opset 21) and float8 are refused.
 */
import { signature, type Word } from '../../gpu/signature.js';
import { hostArrayFor, shapeSize, storageType, type ElemType } from '../../ir/types.js';
import { declaredKernel, dispatch1d, type InferContext, type OpDef } from '../types.js';
import { divRn, linearIndex, perItemMain } from '../wgsl-common.js';
import { perAxis, qrange, roundHalfEven } from './common.js';

interface A { axis: number; blockSize: number; outputDtype: number; saturate: number }

const sig = (w: Word, hasZp: boolean) => signature({
  params: { n: 'u32', dim: 'u32', inner: 'u32', lo: 'f32', hi: 'f32' },
  buffers: [{ name: 'X', elem: 'f32' }, { name: 'S', elem: 'f32' }, ...(hasZp ? [{ name: 'Z', elem: w }] : []), { name: 'Y', elem: w, writes: true }],
});

const ONNX_TYPES: Record<number, ElemType> = { 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32' };

function outType(ctx: InferContext, a: A): ElemType {
  const z = ctx.inputs[2];
  if (z) return z.dtype;
  if (a.outputDtype) {
    const t = ONNX_TYPES[a.outputDtype];
    if (!t) throw ctx.error(`output_dtype ${a.outputDtype} is not supported`, 'wgml quantizes to 8/16/32-bit integers only');
    return t;
  }
  return 'uint8';
}

export const QuantizeLinear: OpDef<A> = {
  type: 'QuantizeLinear', opsets: [10, 99],
  attrs: (a) => ({ axis: a.int('axis', 1), blockSize: a.int('block_size', 0), outputDtype: a.int('output_dtype', 0), saturate: a.int('saturate', 1) }),
  infer(ctx, a) {
    const x = ctx.inputs[0]!;
    if (a.blockSize) throw ctx.error('blocked quantization (block_size) is not supported', 're-export with per-tensor or per-axis scales');
    const t = outType(ctx, a);
    if (!qrange(t)) throw ctx.error(`output type ${t} is not supported`, 'wgml quantizes to 8/16/32-bit integers only');
    perAxis(ctx, x.shape, shapeSize(ctx.inputs[1]!.shape), a.axis);
    return [{ dtype: t, shape: [...x.shape] }];
  },
  reference(inputs, a, ctx) {
    const [x, s, z] = inputs;
    const t = outType(ctx, a);
    const [lo, hi] = qrange(t)!;
    const { dim, inner } = perAxis(ctx, x!.shape, s!.data.length, a.axis);
    const data = hostArrayFor(t, x!.data.length);
    for (let i = 0; i < data.length; i++) {
      const c = Math.floor(i / inner) % dim;
      const q = roundHalfEven(Math.fround(x!.data[i]! / s!.data[c]!)) + (z ? z.data[c]! : 0);
      data[i] = Math.min(hi, Math.max(lo, q));
    }
    return [{ dtype: t, shape: [...x!.shape], data }];
  },
  gpu(ctx, a) {
    const x = ctx.inputs[0]!;
    const hasZp = !!ctx.inputs[2];
    const t = ctx.outputs[0]!.dtype;
    const [lo, hi] = qrange(t)!;
    const { dim, inner } = perAxis(ctx, x.shape, shapeSize(ctx.inputs[1]!.shape), a.axis);
    const n = shapeSize(x.shape);
    const w = storageType(t);
    return { kernels: [declaredKernel({
      name: 'quantize_linear', key: `quantize_${w}_${hasZp}`, sig: sig(w, hasZp), workgroups: dispatch1d(n, 64, ctx.caps.maxComputeWorkgroupsPerDimension),
      args: [{ input: 0 }, { input: 1 }, ...(hasZp ? [{ input: 2 }] : []), { output: 0 }],
      params: { n, dim, inner, lo, hi },
      source: () => ({
        requires: [linearIndex(64), divRn],
        // Saturate in f32 before converting: i32() of an out-of-range float is undefined-ish in WGSL.
        body: perItemMain(64, 'i', 'P.n', `  let c = (i / P.inner) % P.dim;
  let q = round(div_rn(X_ld(i), S_ld(c))) + ${hasZp ? 'f32(Z_ld(c))' : '0.0'};
  Y_st(i, ${w}(i32(clamp(q, P.lo, P.hi))));`),
      }),
    })] };
  },
};
