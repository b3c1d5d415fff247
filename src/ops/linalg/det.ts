/**
 * Det — https://onnx.ai/onnx/operators/onnx__Det.html (opsets 11, 22)
 * Determinants of the trailing M×M matrices of X [*, M, M]; Y has X's leading dims. One GPU thread
 * per matrix: Gaussian elimination with partial pivoting (as LAPACK's getrf, which numpy and
 * onnxruntime use) on a copy in scratch, in f32; a column with no nonzero pivot gives 0. The CPU
 * reference eliminates in f64. Meant for the small matrices models take determinants of (poses,
 * covariances): the work per matrix is M³/3 on one thread.
 */
import { signature } from '../../gpu/signature.js';
import { hostTensor, isFloat, type HostTensor } from '../../ir/types.js';
import { declaredKernel, dispatch1d, type InferContext, type OpDef } from '../types.js';
import { linearIndex, perItemMain } from '../wgsl-common.js';
import { expectInputs } from '../arity.js';
import { prod } from './util.js';

const WG = 64;
const SIG = signature({
  params: { batch: 'u32', M: 'u32' },
  buffers: [{ name: 'X', elem: 'f32' }, { name: 'S', elem: 'f32', writes: true }, { name: 'Y', elem: 'f32', writes: true }],
});

function dims(ctx: InferContext): { batch: number; M: number; lead: number[] } {
  const s = ctx.inputs[0]!.shape;
  if (s.length < 2 || s[s.length - 1] !== s[s.length - 2]) throw ctx.error(`X has shape [${s.join(', ')}]`, 'Det takes square matrices in the last two dims: [*, M, M]', { shape: s });
  const lead = s.slice(0, -2);
  return { batch: prod(lead), M: s[s.length - 1]!, lead };
}

/** det(a) by partial-pivoting elimination in f64; a is one M×M matrix, row-major. */
export function detRef(a: Float64Array, M: number): number {
  let det = 1;
  for (let k = 0; k < M; k++) {
    let p = k;
    for (let r = k + 1; r < M; r++) if (Math.abs(a[r * M + k]!) > Math.abs(a[p * M + k]!)) p = r;
    const piv = a[p * M + k]!;
    if (piv === 0) return 0;
    if (p !== k) {
      det = -det;
      for (let c = k; c < M; c++) { const t = a[k * M + c]!; a[k * M + c] = a[p * M + c]!; a[p * M + c] = t; }
    }
    det *= piv;
    for (let r = k + 1; r < M; r++) {
      const f = a[r * M + k]! / piv;
      for (let c = k + 1; c < M; c++) a[r * M + c] = a[r * M + c]! - f * a[k * M + c]!;
    }
  }
  return det;
}

export const Det: OpDef<Record<string, never>> = {
  type: 'Det', opsets: [11, 99],
  attrs: () => ({}),
  infer(ctx) {
    expectInputs(ctx, 1);
    const t = ctx.inputs[0]!;
    if (!isFloat(t.dtype)) throw ctx.error(`Det needs a float input, got ${t.dtype}`, 'cast the input to float first', { dtype: t.dtype });
    return [{ dtype: t.dtype, shape: dims(ctx).lead }];
  },
  reference([x], _a, ctx): HostTensor[] {
    const { batch, M, lead } = dims(ctx);
    const y = hostTensor(x!.dtype, lead);
    for (let b = 0; b < batch; b++) y.data[b] = detRef(Float64Array.from(x!.data.subarray(b * M * M, (b + 1) * M * M)), M);
    return [y];
  },
  gpu(ctx) {
    const { batch, M } = dims(ctx);
    if (batch === 0) return { kernels: [] };
    return { scratch: [Math.max(4, batch * M * M * 4)], kernels: [declaredKernel({
      name: 'det', key: 'det', sig: SIG, params: { batch, M }, args: [{ input: 0 }, { scratch: 0 }, { output: 0 }],
      workgroups: dispatch1d(batch, WG, ctx.caps.maxComputeWorkgroupsPerDimension),
      source: () => ({
        requires: [linearIndex(WG)],
        body: perItemMain(WG, 'b', 'P.batch', `  let M = P.M;
  let o = b * M * M;
  for (var i = 0u; i < M * M; i++) { S_st(o + i, X_ld(o + i)); }
  var det = 1.0;
  for (var k = 0u; k < M; k++) {
    var p = k;
    for (var r = k + 1u; r < M; r++) { if (abs(S_ld(o + r * M + k)) > abs(S_ld(o + p * M + k))) { p = r; } }
    let piv = S_ld(o + p * M + k);
    if (piv == 0.0) { det = 0.0; break; }
    if (p != k) {
      det = -det;
      for (var c = k; c < M; c++) { let t = S_ld(o + k * M + c); S_st(o + k * M + c, S_ld(o + p * M + c)); S_st(o + p * M + c, t); }
    }
    det *= piv;
    for (var r = k + 1u; r < M; r++) {
      let f = S_ld(o + r * M + k) / piv;
      for (var c = k + 1u; c < M; c++) { S_st(o + r * M + c, S_ld(o + r * M + c) - f * S_ld(o + k * M + c)); }
    }
  }
  Y_st(b, det);`),
      }),
    })] };
  },
};
