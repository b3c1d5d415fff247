/**
 * MatMul — https://onnx.ai/onnx/operators/onnx__MatMul.html
 * numpy matmul semantics: batch dims broadcast; a 1-D A is [1, K] with M squeezed from the output,
 * a 1-D B is [K, 1] with N squeezed. Same semantics in opsets 1, 9, 13. Floats only on the GPU.
 * Honours the fused epilogue (wgml_act, wgml_residual: residual = last input).
 */
import { hostTensor, isFloat, type ValueType } from '../../ir/types.js';
import { applyEpilogueRef, parseEpilogue, type Epilogue } from '../epilogue.js';
import type { InferContext, OpDef } from '../types.js';
import { gemmKernel, type GemmConfig } from './matmul-kernel.js';
import { fmtShape } from '../../ir/types.js';
import { denseStrides } from '../../tensor/tensor.js';
import { need, prod } from './util.js';

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
    batch.push(Math.max(da, db));
    aBatch.push(da === 1 ? 0 : aStr[ia]!);
    bBatch.push(db === 1 ? 0 : bStr[ib]!);
  }
  const out = [...batch];
  if (a.shape.length > 1) out.push(M);
  if (b.shape.length > 1) out.push(N);
  return { M, N, K, batch, aBatch, bBatch, out };
}

interface A { epi: Epilogue }

export const MatMul: OpDef<A> = {
  type: 'MatMul',
  attrs: (a) => ({ epi: parseEpilogue(a) }),
  infer(ctx) {
    const a = need(ctx, 0, 'A'), b = need(ctx, 1, 'B');
    if (a.dtype !== b.dtype) throw ctx.error(`A is ${a.dtype} but B is ${b.dtype}`, 'MatMul operands must share a dtype');
    return [{ dtype: a.dtype, shape: plan(ctx, a, b).out }];
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
    if (at.epi.act || at.epi.residual) {
      if (!isFloat(y.dtype)) throw ctx.error('fused epilogues need a float output', 'this is a bug in the fusion pass');
      applyEpilogueRef(at.epi, y.data as Float32Array, at.epi.residual ? inputs[inputs.length - 1]!.data : null);
    }
    return [y];
  },
  gpu(ctx, at) {
    const a = ctx.inputs[0]!, b = ctx.inputs[1]!;
    if (!isFloat(a.dtype)) return `MatMul runs on the GPU only for float types, got ${a.dtype}`;
    const p = plan(ctx, a, b);
    const c: GemmConfig = {
      M: p.M, N: p.N, K: p.K, batch: p.batch, aBatchStrides: p.aBatch, bBatchStrides: p.bBatch,
      sAm: p.K, sAk: 1, sBk: p.N, sBn: 1, alpha: 1, beta: 0, bias: null, a: 0, b: 1,
      epi: at.epi, residual: at.epi.residual ? ctx.inputs.length - 1 : null,
    };
    const k = gemmKernel(c, 'matmul', ctx.caps.maxComputeWorkgroupsPerDimension);
    return typeof k === 'string' ? k : { kernels: [k] };
  },
};
