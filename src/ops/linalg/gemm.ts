/**
 * Gemm — https://onnx.ai/onnx/operators/onnx__Gemm.html
 * Y = alpha * A' B' + beta * C with A' = transA ? Aᵀ : A, B' likewise; C unidirectionally broadcast
 * to [M, N]. C is optional from opset 11 (required before; opset < 7 had a `broadcast` attribute,
 * which we treat as always on). Floats only on the GPU. Honours the fused epilogue; with
 * wgml_residual = 1 the residual is the node's last input (after C when C is present).
 */
import { fmtShape, hostTensor, isFloat, type ValueType } from '../../ir/types.js';
import { applyEpilogueRef, parseEpilogue, type Epilogue } from '../epilogue.js';
import type { InferContext, OpDef } from '../types.js';
import { gemmKernel } from './matmul-kernel.js';
import { need } from './util.js';

interface A { transA: boolean; transB: boolean; alpha: number; beta: number; epi: Epilogue }

interface Dims { M: number; N: number; K: number; c: ValueType | null; sCm: number; sCn: number }

/** Index of C, or -1 when absent (the residual, when fused, is always last). */
function cIndex(ctx: InferContext, a: A): number {
  const last = a.epi.residual ? ctx.inputs.length - 2 : ctx.inputs.length - 1;
  return last >= 2 && ctx.inputs[2] ? 2 : -1;
}

function dims(ctx: InferContext, a: A): Dims {
  const x = need(ctx, 0, 'A'), w = need(ctx, 1, 'B');
  if (x.shape.length !== 2 || w.shape.length !== 2) throw ctx.error(`A ${fmtShape(x.shape)} and B ${fmtShape(w.shape)} must be 2-D`, 'use MatMul for batched products');
  const [M, K] = a.transA ? [x.shape[1]!, x.shape[0]!] : [x.shape[0]!, x.shape[1]!];
  const [K2, N] = a.transB ? [w.shape[1]!, w.shape[0]!] : [w.shape[0]!, w.shape[1]!];
  if (K !== K2) throw ctx.error(`inner dims differ: A ${fmtShape(x.shape)}${a.transA ? 'ᵀ' : ''} × B ${fmtShape(w.shape)}${a.transB ? 'ᵀ' : ''}`, 'check transA/transB', { a: x.shape, b: w.shape });
  const ci = cIndex(ctx, a);
  const c = ci >= 0 ? ctx.inputs[ci]! : null;
  let sCm = 0, sCn = 0;
  if (c) {
    const s = c.shape;
    if (s.length > 2) throw ctx.error(`C ${fmtShape(s)} has rank > 2`, 'C must broadcast to [M, N]');
    const cm = s.length === 2 ? s[0]! : 1, cn = s.length >= 1 ? s[s.length - 1]! : 1;
    if ((cm !== 1 && cm !== M) || (cn !== 1 && cn !== N)) throw ctx.error(`C ${fmtShape(s)} does not broadcast to [${M}, ${N}]`, 'C must broadcast to [M, N]', { c: s });
    sCm = cm === 1 ? 0 : cn; sCn = cn === 1 ? 0 : 1;
  }
  return { M, N, K, c, sCm, sCn };
}

export const Gemm: OpDef<A> = {
  type: 'Gemm',
  attrs: (a) => ({ transA: a.int('transA', 0) === 1, transB: a.int('transB', 0) === 1, alpha: a.float('alpha', 1), beta: a.float('beta', 1), epi: parseEpilogue(a) }),
  infer(ctx, a) {
    const d = dims(ctx, a);
    return [{ dtype: ctx.inputs[0]!.dtype, shape: [d.M, d.N] }];
  },
  reference(inputs, a, ctx) {
    const d = dims(ctx, a);
    const x = inputs[0]!.data, w = inputs[1]!.data, ci = cIndex(ctx, a);
    const c = ci >= 0 ? inputs[ci]! : null;
    const y = hostTensor(inputs[0]!.dtype, [d.M, d.N]);
    const cShape = c ? c.shape : [];
    for (let m = 0; m < d.M; m++) for (let n = 0; n < d.N; n++) {
      let s = 0;
      for (let k = 0; k < d.K; k++) {
        const av = a.transA ? x[k * d.M + m]! : x[m * d.K + k]!;
        const bv = a.transB ? w[n * d.K + k]! : w[k * d.N + n]!;
        s += av * bv;
      }
      let v = a.alpha * s;
      if (c) {
        // Right-aligned broadcast of C, computed from its shape rather than the kernel's strides.
        const cm = cShape.length === 2 ? (cShape[0] === 1 ? 0 : m) : 0;
        const cn = cShape.length >= 1 && cShape[cShape.length - 1] !== 1 ? n : 0;
        const cols = cShape.length >= 1 ? cShape[cShape.length - 1]! : 1;
        v += a.beta * c.data[cm * cols + cn]!;
      }
      y.data[m * d.N + n] = v;
    }
    if (a.epi.act || a.epi.residual) applyEpilogueRef(a.epi, y.data as Float32Array, a.epi.residual ? inputs[inputs.length - 1]!.data : null);
    return [y];
  },
  gpu(ctx, a) {
    const x = ctx.inputs[0]!;
    if (!isFloat(x.dtype)) return `Gemm runs on the GPU only for float types, got ${x.dtype}`;
    const d = dims(ctx, a);
    const ci = cIndex(ctx, a);
    const k = gemmKernel({
      M: d.M, N: d.N, K: d.K, batch: [], aBatchStrides: [], bBatchStrides: [],
      sAm: a.transA ? 1 : d.K, sAk: a.transA ? d.M : 1, sBk: a.transB ? 1 : d.N, sBn: a.transB ? d.K : 1,
      alpha: a.alpha, beta: a.beta, bias: d.c && a.beta !== 0 ? { input: ci, sCm: d.sCm, sCn: d.sCn } : null,
      a: 0, b: 1, epi: a.epi, residual: a.epi.residual ? ctx.inputs.length - 1 : null,
    }, 'gemm', ctx.caps.maxComputeWorkgroupsPerDimension);
    return typeof k === 'string' ? k : { kernels: [k] };
  },
};
