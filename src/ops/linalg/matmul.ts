/**
 * MatMul — https://onnx.ai/onnx/operators/onnx__MatMul.html
 * numpy matmul semantics: batch dims broadcast; a 1-D A is [1, K] with M squeezed from the output,
 * a 1-D B is [K, 1] with N squeezed. Same semantics in opsets 1, 9, 13. Floats only on the GPU.
 * Reads A, B and the epilogue inputs through strided views and may write its output through one
 * (passes re-view transposes instead of copying); a fused epilogue (`wgml_epilogue`, inputs from 2 on)
 * runs on each result, and a fused LayerNorm over its rows may follow (output 1), see gemm-epilogue.ts.
 */
import { hostTensor, isFloat, type ValueType } from '../../ir/types.js';
import { denseView, type View } from '../../ir/view.js';
import type { InferContext, OpDef } from '../types.js';
import { fmtShape } from '../../ir/types.js';
import { denseStrides } from '../../tensor/tensor.js';
import { need, prod } from './util.js';
import { applyEpilogue, applyRowNorm, epilogueType, epilogueWgsl, gemmExtras, gemmOutputTypes, MAX_EPILOGUE_INPUTS, parseGemmAttrs, type GemmAttrs } from './gemm-epilogue.js';
import { gemmProblem } from './gemm-layout.js';
import { gemmPlan } from './matmul-kernel.js';

interface Plan {
  M: number; N: number; K: number;
  batch: number[]; aBatch: number[]; bBatch: number[];
  out: number[];
}

function plan(ctx: InferContext, a: ValueType, b: ValueType): Plan {
  if (a.shape.length === 0 || b.shape.length === 0) throw ctx.error('MatMul operands must have rank ≥ 1', 'use Mul for scalars', { a: a.shape, b: b.shape });
  const as = a.shape.length === 1 ? [1, a.shape[0]!] : a.shape;
  const bs = b.shape.length === 1 ? [b.shape[0]!, 1] : b.shape;
  const M = as[as.length - 2]!, K = as[as.length - 1]!, K2 = bs[bs.length - 2]!, N = bs[bs.length - 1]!;
  if (K !== K2) throw ctx.error(`inner dims differ: A ${fmtShape(a.shape)} × B ${fmtShape(b.shape)}`, 'the last dim of A must equal the second-to-last dim of B', { a: a.shape, b: b.shape });
  const ab = as.slice(0, -2), bb = bs.slice(0, -2);
  const nb = Math.max(ab.length, bb.length);
  const batch: number[] = [], aBatch: number[] = [], bBatch: number[] = [];
  const aStr = denseStrides(ab).map((s) => s * M * K), bStr = denseStrides(bb).map((s) => s * K * N);
  for (let i = 0; i < nb; i++) {
    const ia = i - (nb - ab.length), ib = i - (nb - bb.length);
    const da = ia >= 0 ? ab[ia]! : 1, db = ib >= 0 ? bb[ib]! : 1;
    if (da !== db && da !== 1 && db !== 1) throw ctx.error(`batch dims do not broadcast: A ${fmtShape(a.shape)} × B ${fmtShape(b.shape)}`, 'batch dims must be equal or 1', { a: a.shape, b: b.shape });
    batch.push(da === 1 ? db : da); // numpy: a 1 takes the other, so 1 and 0 broadcast to 0
    aBatch.push(da === 1 ? 0 : aStr[ia]!);
    bBatch.push(db === 1 ? 0 : bStr[ib]!);
  }
  const out = [...batch];
  if (a.shape.length > 1) out.push(M);
  if (b.shape.length > 1) out.push(N);
  return { M, N, K, batch, aBatch, bBatch, out };
}

/**
 * A view over `out` (the logical output shape, M and/or N squeezed) as a view over [...batch, M, N]:
 * squeezed dims get stride 0. `v` may be narrower than `out` (an epilogue input): it is broadcast first.
 */
function matrixView(v: View, out: number[], p: Plan, a1: boolean, b1: boolean): View {
  const lead = out.length - v.shape.length;
  const st = out.map((d, k) => (k < lead || v.shape[k - lead] !== d ? 0 : v.strides[k - lead]!));
  const nb = p.batch.length;
  return { shape: [...p.batch, p.M, p.N], strides: [...st.slice(0, nb), a1 ? 0 : st[nb]!, b1 ? 0 : st[nb + (a1 ? 0 : 1)]!], offset: v.offset };
}

export const MatMul: OpDef<GemmAttrs> = {
  type: 'MatMul',
  viewInputs: Array.from({ length: 2 + MAX_EPILOGUE_INPUTS }, (_, i) => i),
  viewOutput: true,
  attrs: (a) => parseGemmAttrs(a),
  infer(ctx, at) {
    const a = need(ctx, 0, 'A'), b = need(ctx, 1, 'B');
    if (a.dtype !== b.dtype) throw ctx.error(`A is ${a.dtype} but B is ${b.dtype}`, 'MatMul operands must share a dtype');
    const { extras, norm } = gemmExtras(ctx, at, 2);
    return gemmOutputTypes(ctx, epilogueType(ctx, at.epi, { dtype: a.dtype, shape: plan(ctx, a, b).out }, extras), norm);
  },
  reference(inputs, at, ctx) {
    const [x, w] = inputs;
    const p = plan(ctx, x!, w!);
    const y = hostTensor(x!.dtype, p.out);
    const nz = prod(p.batch);
    for (let z = 0; z < nz; z++) {
      // Walk the broadcast batch index independently of the kernel's stride tables.
      let rem = z, oa = 0, ob = 0;
      for (let d = p.batch.length - 1; d >= 0; d--) { const c = rem % p.batch[d]!; rem = Math.floor(rem / p.batch[d]!); oa += c * p.aBatch[d]!; ob += c * p.bBatch[d]!; }
      for (let m = 0; m < p.M; m++) for (let n = 0; n < p.N; n++) {
        let s = 0;
        for (let k = 0; k < p.K; k++) s += x!.data[oa + m * p.K + k]! * w!.data[ob + k * p.N + n]!;
        y.data[(z * p.M + m) * p.N + n] = s;
      }
    }
    const { extras, norm } = gemmExtras(ctx, at, 2);
    const out = applyEpilogue(ctx, at.epi, y, inputs.slice(2, 2 + extras.length));
    return norm ? [out, applyRowNorm(out, inputs[norm.scale]!, norm.bias === null ? null : inputs[norm.bias]!, at.lnEps!)] : [out];
  },
  gpu(ctx, at) {
    const a = ctx.inputs[0]!, b = ctx.inputs[1]!;
    if (!isFloat(a.dtype)) return `MatMul runs on the GPU only for float types, got ${a.dtype}`;
    const p = plan(ctx, a, b);
    const a1 = a.shape.length === 1, b1 = b.shape.length === 1;
    const view = (i: number) => ctx.views?.[i] ?? denseView(ctx.inputs[i]!.shape);
    const va = view(0), vb = view(1);
    const A2: View = a1 ? { shape: [1, p.K], strides: [0, va.strides[0]!], offset: va.offset } : va;
    const B2: View = b1 ? { shape: [p.K, 1], strides: [vb.strides[0]!, 0], offset: vb.offset } : vb;
    const Y2 = matrixView(ctx.outView ?? denseView(p.out), p.out, p, a1, b1);
    const { extras: extraTypes, norm } = gemmExtras(ctx, at, 2);
    const extras = extraTypes.map((t, k) => {
      if (!t) throw ctx.error(`epilogue input ${k} is missing`, 'this is a bug in the fusion pass', { internal: true });
      return { t, v: matrixView(view(2 + k), p.out, p, a1, b1) };
    });
    const problem = gemmProblem(A2, B2, Y2, extras.map((e) => e.v));
    const gemmType: ValueType = { dtype: a.dtype, shape: p.out };
    return gemmPlan(problem, {
      a: 0, b: 1, ext: extras.map((e, k) => ({ input: 2 + k, dtype: e.t.dtype })), hasC: false, alpha: 1, beta: 0,
      epilogue: epilogueWgsl(ctx, at.epi, gemmType, extras.map((e) => e.t)),
    }, ctx.caps, 'matmul', at.force, norm && { ...norm, eps: at.lnEps! }, ctx.splitKPairs === 'all');
  },
};
