/**
 * The shared GEMM kernels behind MatMul and Gemm: Y[z, m, n] = epilogue(alpha * Σk A·B + beta * C, R).
 * Operand layouts are strides in uniforms (transposes and batch broadcasting cost nothing), so one
 * pipeline serves every size of a configuration. Two shapes of kernel:
 * - tiled: BM×64 output tiles staged through workgroup memory, K-step 16, 16×16 threads each
 *   computing (BM/16)×4 outputs; BM = 16 when M is small so fewer rows are wasted;
 * - gemv: when M or N is 1 (batch-1 heads), one workgroup per output splits the K reduction
 *   over 64 threads and combines it with a tree in workgroup memory.
 */
import { resolveWgsl, type WgslBinding } from '../../gpu/wgsl.js';
import { epilogueKey, epilogueModule, type Epilogue } from '../epilogue.js';
import { dispatch1d, UniformWriter, type KernelArg, type KernelSpec } from '../types.js';
import { prod } from './util.js';

export const MAX_BATCH_DIMS = 8;

export interface GemmConfig {
  M: number; N: number; K: number;
  /** Output batch dims (outermost first) and each operand's element stride per batch dim (0 = broadcast). */
  batch: number[]; aBatchStrides: number[]; bBatchStrides: number[];
  sAm: number; sAk: number; sBk: number; sBn: number;
  alpha: number; beta: number;
  /** Optional bias C broadcast over [M, N] by strides (Gemm). */
  bias: { input: number; sCm: number; sCn: number } | null;
  a: number; b: number;
  epi: Epilogue;
  /** The residual's input index when epi.residual. */
  residual: number | null;
}

function uniforms(c: GemmConfig): ArrayBuffer {
  const total = c.M * c.N * prod(c.batch);
  return new UniformWriter()
    .u32(c.M, c.N, c.K, c.batch.length)
    .u32(c.sAm, c.sAk, c.sBk, c.sBn)
    .u32(c.bias?.sCm ?? 0, c.bias?.sCn ?? 0).f32(c.alpha, c.beta)
    .u32(total, 0, 0, 0)
    .u32Array(c.batch, 2).u32Array(c.aBatchStrides, 2).u32Array(c.bBatchStrides, 2)
    .finish();
}

const PARAMS = `struct Params {
  M: u32, N: u32, K: u32, nb: u32,
  sAm: u32, sAk: u32, sBk: u32, sBn: u32,
  sCm: u32, sCn: u32, alpha: f32, beta: f32,
  total: u32, p0: u32, p1: u32, p2: u32,
  bdims: array<vec4<u32>, 2>, sAb: array<vec4<u32>, 2>, sBb: array<vec4<u32>, 2>,
}
// Element offsets of batch z in A and B (broadcast dims have stride 0).
fn batch_offsets(z: u32) -> vec2<u32> {
  var rem = z; var oa = 0u; var ob = 0u;
  for (var d = i32(P.nb) - 1; d >= 0; d--) {
    let q = u32(d) / 4u; let r = u32(d) % 4u;
    let size = P.bdims[q][r];
    let c = rem % size; rem = rem / size;
    oa += c * P.sAb[q][r]; ob += c * P.sBb[q][r];
  }
  return vec2<u32>(oa, ob);
}
// Bias, alpha and the fused epilogue for output (m, n) at flat index idx.
fn finish(acc: f32, m: u32, n: u32, idx: u32) -> f32 {
  var v = P.alpha * acc;
  BIAS
  return epilogue(v, RESID);
}`;

function bindings(c: GemmConfig): { b: WgslBinding[]; args: KernelArg[] } {
  const b: WgslBinding[] = [{ name: 'P', kind: 'uniform', type: 'Params' }, { name: 'A', kind: 'read', type: 'array<f32>' }, { name: 'B', kind: 'read', type: 'array<f32>' }];
  const args: KernelArg[] = [{ input: c.a }, { input: c.b }];
  if (c.bias) { b.push({ name: 'C', kind: 'read', type: 'array<f32>' }); args.push({ input: c.bias.input }); }
  if (c.epi.residual) { b.push({ name: 'Res', kind: 'read', type: 'array<f32>' }); args.push({ input: c.residual! }); }
  b.push({ name: 'Y', kind: 'read_write', type: 'array<f32>' });
  args.push({ output: 0 });
  return { b, args };
}

function params(c: GemmConfig): string {
  return PARAMS
    .replace('BIAS', c.bias ? 'v += P.beta * C[m * P.sCm + n * P.sCn];' : '')
    .replace('RESID', c.epi.residual ? 'Res[idx]' : '0.0');
}

function gemv(c: GemmConfig, name: string): KernelSpec {
  const { b, args } = bindings(c);
  const total = c.M * c.N * prod(c.batch);
  return {
    name: `${name}_gemv`, key: `linalg_gemv|${!!c.bias}|${epilogueKey(c.epi)}`, args, uniforms: uniforms(c),
    workgroups: dispatch1d(total, 1),
    wgsl: () => resolveWgsl({
      bindings: b, requires: [epilogueModule(c.epi)],
      body: `${params(c)}
var<workgroup> part: array<f32, 64>;
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let flat = wid.x + wid.y * nwg.x;
  if (flat >= P.total) { return; }
  let n = flat % P.N; let m = (flat / P.N) % P.M; let z = flat / (P.N * P.M);
  let o = batch_offsets(z);
  let a0 = o.x + m * P.sAm; let b0 = o.y + n * P.sBn;
  var s = 0.0;
  for (var k = li; k < P.K; k += 64u) { s += A[a0 + k * P.sAk] * B[b0 + k * P.sBk]; }
  part[li] = s;
  workgroupBarrier();
  for (var w = 32u; w > 0u; w >>= 1u) {
    if (li < w) { part[li] += part[li + w]; }
    workgroupBarrier();
  }
  if (li == 0u) { Y[flat] = finish(part[0], m, n, flat); }
}`,
    }),
  };
}

function tiled(c: GemmConfig, name: string, bm: 16 | 64): KernelSpec {
  const { b, args } = bindings(c);
  const rm = bm / 16;
  const batchTotal = prod(c.batch);
  return {
    name: `${name}_tile${bm}x64`, key: `linalg_gemm_tile${bm}|${!!c.bias}|${epilogueKey(c.epi)}`, args, uniforms: uniforms(c),
    workgroups: [Math.ceil(c.N / 64), Math.ceil(c.M / bm), batchTotal],
    wgsl: () => resolveWgsl({
      bindings: b, requires: [epilogueModule(c.epi)],
      body: `${params(c)}
const BM = ${bm}u; const BN = 64u; const BK = 16u; const RM = ${rm}u;
var<workgroup> As: array<f32, ${bm * 16}>;
var<workgroup> Bs: array<f32, 1024>;
@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let z = wid.z;
  let o = batch_offsets(z);
  let m0 = wid.y * BM; let n0 = wid.x * BN;
  var acc: array<array<f32, 4>, RM>;
  for (var k0 = 0u; k0 < P.K; k0 += BK) {
    // Consecutive threads take consecutive k for A and consecutive n for B: coalesced for row-major operands.
    for (var i = li; i < BM * BK; i += 256u) {
      let mm = i / BK; let kk = i % BK; let gm = m0 + mm; let gk = k0 + kk;
      var v = 0.0;
      if (gm < P.M && gk < P.K) { v = A[o.x + gm * P.sAm + gk * P.sAk]; }
      As[kk * BM + mm] = v;
    }
    for (var i = li; i < BK * BN; i += 256u) {
      let kk = i / BN; let nn = i % BN; let gk = k0 + kk; let gn = n0 + nn;
      var v = 0.0;
      if (gk < P.K && gn < P.N) { v = B[o.y + gk * P.sBk + gn * P.sBn]; }
      Bs[kk * BN + nn] = v;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < BK; kk++) {
      var bv: array<f32, 4>;
      for (var c = 0u; c < 4u; c++) { bv[c] = Bs[kk * BN + lid.x + 16u * c]; }
      for (var r = 0u; r < RM; r++) {
        let av = As[kk * BM + lid.y + 16u * r];
        for (var c = 0u; c < 4u; c++) { acc[r][c] = fma(av, bv[c], acc[r][c]); }
      }
    }
    workgroupBarrier();
  }
  for (var r = 0u; r < RM; r++) {
    let m = m0 + lid.y + 16u * r;
    if (m >= P.M) { continue; }
    for (var c = 0u; c < 4u; c++) {
      let n = n0 + lid.x + 16u * c;
      if (n >= P.N) { continue; }
      let idx = (z * P.M + m) * P.N + n;
      Y[idx] = finish(acc[r][c], m, n, idx);
    }
  }
}`,
    }),
  };
}

/** The kernel for one GEMM configuration, or a refusal reason. */
export function gemmKernel(c: GemmConfig, name: string, maxPerDim: number): KernelSpec | string {
  if (c.batch.length > MAX_BATCH_DIMS) return `more than ${MAX_BATCH_DIMS} batch dims`;
  if (c.M === 1 || c.N === 1) return gemv(c, name);
  const bm = c.M <= 16 ? 16 : 64;
  const k = tiled(c, name, bm);
  if (k.workgroups.some((w) => w > maxPerDim)) return `grid ${k.workgroups.join('×')} exceeds the device's ${maxPerDim} workgroups per dimension`;
  return k;
}
