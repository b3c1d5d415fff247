/**
 * Gemm — https://onnx.ai/onnx/operators/onnx__Gemm.html
 * Y = alpha * A' B' + beta * C with A' = transA ? Aᵀ : A, B' likewise; C unidirectionally broadcast
 * to [M, N]. C is optional from opset 11 (required before; opset < 7 had a `broadcast` attribute,
 * which we treat as always on). Floats only on the GPU. Transposes are strides; A, B, C and the
 * epilogue inputs may be strided views and the output may be written through one. A fused epilogue
 * (`wgml_epilogue`) reads inputs from 3 on (input 2, C, is '' when absent), and a fused LayerNorm over
 * its rows may follow (output 1), see gemm-epilogue.ts.
 * A constant B with transB = 1 (PyTorch Linear) is stored transposed once at load time by
 * passes/fuse-gemm-epilogue.ts so the kernels read it row-major.
 */
import { fmtShape, hostTensor, isFloat, type ValueType } from '../../ir/types.js';
import { denseView, expandView, permuteView } from '../../ir/view.js';
import type { InferContext, OpDef } from '../types.js';
import { need } from './util.js';
import { applyEpilogue, applyRowNorm, epilogueType, epilogueWgsl, gemmExtras, gemmOutputTypes, MAX_EPILOGUE_INPUTS, parseGemmAttrs, type GemmAttrs } from './gemm-epilogue.js';
import { gemmProblem } from './gemm-layout.js';
import { gemmPlan } from './matmul-kernel.js';

interface A extends GemmAttrs { transA: boolean; transB: boolean; alpha: number; beta: number }

interface Dims { M: number; N: number; K: number; c: ValueType | null }

function dims(ctx: InferContext, a: A): Dims {
  const x = need(ctx, 0, 'A'), w = need(ctx, 1, 'B');
  if (x.shape.length !== 2 || w.shape.length !== 2) throw ctx.error(`A ${fmtShape(x.shape)} and B ${fmtShape(w.shape)} must be 2-D`, 'use MatMul for batched products');
  const [M, K] = a.transA ? [x.shape[1]!, x.shape[0]!] : [x.shape[0]!, x.shape[1]!];
  const [K2, N] = a.transB ? [w.shape[1]!, w.shape[0]!] : [w.shape[0]!, w.shape[1]!];
  if (K !== K2) throw ctx.error(`inner dims differ: A ${fmtShape(x.shape)}${a.transA ? 'ᵀ' : ''} × B ${fmtShape(w.shape)}${a.transB ? 'ᵀ' : ''}`, 'check transA/transB', { a: x.shape, b: w.shape });
  if (x.dtype !== w.dtype) throw ctx.error(`A is ${x.dtype} but B is ${w.dtype}`, 'Gemm\'s A, B and C must share a dtype', { a: x.dtype, b: w.dtype });
  const c = ctx.inputs[2] ?? null;
  if (c) {
    if (c.dtype !== x.dtype) throw ctx.error(`C is ${c.dtype} but A and B are ${x.dtype}`, 'Gemm\'s A, B and C must share a dtype', { a: x.dtype, c: c.dtype });
    const s = c.shape;
    if (s.length > 2) throw ctx.error(`C ${fmtShape(s)} has rank > 2`, 'C must broadcast to [M, N]');
    const cm = s.length === 2 ? s[0]! : 1, cn = s.length >= 1 ? s[s.length - 1]! : 1;
    if ((cm !== 1 && cm !== M) || (cn !== 1 && cn !== N)) throw ctx.error(`C ${fmtShape(s)} does not broadcast to [${M}, ${N}]`, 'C must broadcast to [M, N]', { c: s });
  }
  return { M, N, K, c };
}

export const Gemm: OpDef<A> = {
  type: 'Gemm',
  viewInputs: Array.from({ length: 3 + MAX_EPILOGUE_INPUTS }, (_, i) => i),
  viewOutput: true,
  attrs: (a) => ({ transA: a.int('transA', 0) === 1, transB: a.int('transB', 0) === 1, alpha: a.float('alpha', 1), beta: a.float('beta', 1), ...parseGemmAttrs(a) }),
  infer(ctx, a) {
    const d = dims(ctx, a);
    const { extras, norm } = gemmExtras(ctx, a, 3);
    return gemmOutputTypes(ctx, epilogueType(ctx, a.epi, { dtype: ctx.inputs[0]!.dtype, shape: [d.M, d.N] }, extras), norm);
  },
  reference(inputs, a, ctx) {
    const d = dims(ctx, a);
    const x = inputs[0]!.data, w = inputs[1]!.data;
    const c = inputs[2] ?? null;
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
    const { extras, norm } = gemmExtras(ctx, a, 3);
    const out = applyEpilogue(ctx, a.epi, y, inputs.slice(3, 3 + extras.length));
    return norm ? [out, applyRowNorm(out, inputs[norm.scale]!, norm.bias === null ? null : inputs[norm.bias]!, a.lnEps!)] : [out];
  },
  gpu(ctx, a) {
    const x = ctx.inputs[0]!;
    if (!isFloat(x.dtype)) return `Gemm runs on the GPU only for float types, got ${x.dtype}`;
    const d = dims(ctx, a);
    const view = (i: number) => ctx.views?.[i] ?? denseView(ctx.inputs[i]!.shape);
    const out = [d.M, d.N];
    const va = view(0), vb = view(1);
    const A2 = a.transA ? permuteView(va, [1, 0]) : va;
    const B2 = a.transB ? permuteView(vb, [1, 0]) : vb;
    const bcast = (i: number) => {
      const e = expandView(view(i), out);
      if (!e) throw ctx.error(`input ${i} ${fmtShape(ctx.inputs[i]!.shape)} does not broadcast to [${d.M}, ${d.N}]`, 'this is a bug in the fusion pass', { internal: true });
      return e;
    };
    const useC = !!d.c && a.beta !== 0;
    const { extras, norm } = gemmExtras(ctx, a, 3);
    const extIdx = [...(useC ? [2] : []), ...extras.map((_, k) => 3 + k)];
    for (const i of extIdx) if (!ctx.inputs[i]) throw ctx.error(`epilogue input ${i} is missing`, 'this is a bug in the fusion pass', { internal: true });
    const problem = gemmProblem(A2, B2, ctx.outView ?? denseView(out), extIdx.map(bcast));
    const gemmType: ValueType = { dtype: x.dtype, shape: out };
    return gemmPlan(problem, {
      a: 0, b: 1, ext: extIdx.map((i) => ({ input: i, dtype: ctx.inputs[i]!.dtype })), hasC: useC, alpha: a.alpha, beta: a.beta,
      epilogue: epilogueWgsl(ctx, a.epi, gemmType, extras.map((t) => t!)),
    }, ctx.caps, 'gemm', a.force, norm && { ...norm, eps: a.lnEps! }, ctx.splitKPairs === 'all');
  },
};
