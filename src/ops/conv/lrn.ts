/**
 * LRN — https://onnx.ai/onnx/operators/onnx__LRN.html
 * Opset 1 and 13 (bfloat16 added). Across channels of an N×C×D1…Dk input:
 * y = x / (bias + alpha/size · Σ x²)^beta over channels [c - ⌊(size-1)/2⌋, c + ⌈(size-1)/2⌉] ∩ [0, C).
 * One thread per element, the window read directly (size is small in practice).
 */
import { signature } from '../../gpu/signature.js';
import { hostTensor, isFloat, shapeSize, type HostTensor } from '../../ir/types.js';
import { declaredKernel, dispatch1d, type OpDef } from '../types.js';
import { linearIndex, perItemMain } from '../wgsl-common.js';
import { expectInputs } from '../arity.js';

interface A { alpha: number; beta: number; bias: number; size: number }
const WG = 64;
const SIG = signature({
  params: { n: 'u32', C: 'u32', S: 'u32', lo: 'u32', hi: 'u32', scale: 'f32', beta: 'f32', bias: 'f32' },
  buffers: [{ name: 'X', elem: 'f32' }, { name: 'Y', elem: 'f32', writes: true }],
});

export const LRN: OpDef<A> = {
  type: 'LRN',
  attrs: (a) => {
    const size = a.int('size');
    if (size < 1) throw a.error(`size must be >= 1, got ${size}`, 'fix the attribute');
    return { alpha: a.float('alpha', 1e-4), beta: a.float('beta', 0.75), bias: a.float('bias', 1), size };
  },
  infer(ctx) {
    expectInputs(ctx, 1);
    const x = ctx.inputs[0]!;
    if (x.shape.length < 3) throw ctx.error(`input must be N×C×D1…, got rank ${x.shape.length}`, 'LRN normalizes across channels of a batch of images', { shape: x.shape });
    if (!isFloat(x.dtype)) throw ctx.error(`LRN needs a float input, got ${x.dtype}`, 'cast the input to float first', { dtype: x.dtype });
    return [{ dtype: x.dtype, shape: [...x.shape] }];
  },
  reference([x], a): HostTensor[] {
    const [N, C] = x!.shape as [number, number];
    const S = shapeSize(x!.shape.slice(2));
    const y = hostTensor(x!.dtype, x!.shape);
    const lo = Math.floor((a.size - 1) / 2), hi = Math.ceil((a.size - 1) / 2);
    for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let s = 0; s < S; s++) {
      let sq = 0;
      for (let j = Math.max(0, c - lo); j <= Math.min(C - 1, c + hi); j++) { const v = x!.data[(n * C + j) * S + s]!; sq += v * v; }
      y.data[(n * C + c) * S + s] = x!.data[(n * C + c) * S + s]! / Math.pow(a.bias + (a.alpha / a.size) * sq, a.beta);
    }
    return [y];
  },
  gpu(ctx, a) {
    const x = ctx.inputs[0]!;
    const n = shapeSize(x.shape);
    if (!n) return { kernels: [] };
    const C = x.shape[1]!, S = Math.max(1, shapeSize(x.shape.slice(2)));
    return { kernels: [declaredKernel({
      name: 'lrn', key: 'lrn', sig: SIG, args: [{ input: 0 }, { output: 0 }],
      params: { n, C, S, lo: Math.floor((a.size - 1) / 2), hi: Math.ceil((a.size - 1) / 2), scale: a.alpha / a.size, beta: a.beta, bias: a.bias },
      workgroups: dispatch1d(n, WG, ctx.caps.maxComputeWorkgroupsPerDimension),
      source: () => ({
        requires: [linearIndex(WG)],
        body: perItemMain(WG, 'i', 'P.n', `  let s = i % P.S;
  let c = (i / P.S) % P.C;
  let base = (i / (P.S * P.C)) * P.C * P.S + s;
  let j0 = select(0u, c - P.lo, c >= P.lo);
  let j1 = min(P.C - 1u, c + P.hi);
  var sq = 0.0;
  for (var j = j0; j <= j1; j++) { let v = X_ld(base + j * P.S); sq += v * v; }
  Y_st(i, X_ld(i) / pow(P.bias + P.scale * sq, P.beta));`),
      }),
    })] };
  },
};
