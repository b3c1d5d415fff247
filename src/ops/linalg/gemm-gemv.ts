/**
 * Single-row GEMMs (M = 1 after normalization: a batch-1 token, a classifier head, N = 1 transposed)
 * and the split-K reduce. A GEMV reads each element of B once, so it is bound by memory, not FMAs:
 * - `gemv_n` (B contiguous along n, e.g. row-major weights): LANES threads along n, each owning a vec4
 *   of columns, times KG groups along k; coalesced vec4 rows of B, A's element broadcast, the KG
 *   partial vec4s summed in workgroup memory;
 * - `gemv_k` (B contiguous along k, or any strides): ROWS outputs per workgroup, LANES threads along k
 *   per output (vec4 loads when A and B are both k-contiguous and aligned), summed by a tree.
 * Both split K across workgroups (y) when the grid is small, like the tiled kernel, with the same
 * reduce kernel finishing the sum.
 */
import { resolveWgsl, type WgslBinding } from '../../gpu/wgsl.js';
import { linearIndex } from '../wgsl-common.js';
import { dispatch1d, type KernelArg, type KernelSpec } from '../types.js';
import { commonWgsl, extBindings, gemmModules, gemmUniforms, ioKey, type GemmIo } from './gemm-common.js';
import type { GemmProblem } from './gemm-layout.js';
import { GEMV_K, GEMV_N } from './gemm-select.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const NO_IO = (io: GemmIo): GemmIo => ({ ...io, ext: [], hasC: false, epilogue: null });

function outBindings(io: GemmIo, split: boolean, yVec: boolean): { b: WgslBinding[]; args: KernelArg[] } {
  if (split) return { b: [{ name: 'S', kind: 'read_write', type: 'array<f32>' }], args: [{ scratch: 0 }] };
  const e = extBindings(io);
  return { b: [...e.b, { name: 'Y', kind: 'read_write', type: yVec ? 'array<vec4<f32>>' : 'array<f32>' }], args: [...e.args, { output: 0 }] };
}

/** Is B n-contiguous with vec4-aligned rows (the `gemv_n` vec4 path)? */
export function gemvNVec(p: GemmProblem): boolean {
  return p.b.c === 1 && p.N % 4 === 0 && p.b.off % 4 === 0 && (p.K === 1 || p.b.r % 4 === 0) && p.b.batch.every((s) => s % 4 === 0);
}

/** Are A and B both k-contiguous and aligned (the `gemv_k` vec4 path)? */
export function gemvKVec(p: GemmProblem): boolean {
  const al = (o: GemmProblem['a'], other: number) => o.off % 4 === 0 && other % 4 === 0 && o.batch.every((s) => s % 4 === 0);
  return p.K % 4 === 0 && p.a.c === 1 && p.b.r === 1 && al(p.a, 0) && al(p.b, p.N === 1 ? 0 : p.b.c);
}

export interface GemvOptions { split: boolean; kSplit: number; nSplit: number; yVec: boolean }

export function gemvNKernel(p: GemmProblem, io: GemmIo, o: GemvOptions, name: string): KernelSpec {
  const L = GEMV_N.lanes, KG = GEMV_N.kGroups, NT = L * KG;
  const vec = gemvNVec(p);
  const yVec = o.yVec && !o.split;
  const out = outBindings(io, o.split, yVec);
  const nz = p.batch.reduce((x, y) => x * y, 1);
  const bLoad = vec
    ? `if (nb < P.N) { b = B[(oB + k * P.sb.x + nb) / 4u]; }`
    : range(4).map((c) => `if (nb + ${c}u < P.N) { b[${c}] = B[oB + k * P.sb.x + (nb + ${c}u) * P.sb.y]; }`).join(' ');
  const write = o.split
    ? range(4).map((c) => `if (nb + ${c}u < P.N) { S[split * P.total + zb * P.N + nb + ${c}u] = s[${c}]; }`).join('\n    ')
    : yVec
      ? `if (nb < P.N) { Y[(oY + nb) / 4u] = vec4<f32>(${range(4).map((c) => `finish(s[${c}], 0u, nb + ${c}u)`).join(', ')}); }`
      : range(4).map((c) => `if (nb + ${c}u < P.N) { Y[oY + (nb + ${c}u) * P.sy.y] = finish(s[${c}], 0u, nb + ${c}u); }`).join('\n    ');
  const cio = o.split ? NO_IO(io) : io;
  return {
    name: `${name}_gemv_n${o.split ? `_s${o.nSplit}` : ''}`,
    key: `gemm_gemv_n|${L}x${KG}|${vec ? 'v4' : 's'}|${o.split ? 'split' : `Y${yVec ? 4 : 1}|${ioKey(io)}`}`,
    args: [{ input: io.a }, { input: io.b }, ...out.args],
    uniforms: gemmUniforms(p, o.kSplit, o.nSplit, cio),
    workgroups: [Math.ceil(p.N / (4 * L)), o.nSplit, nz],
    wgsl: () => resolveWgsl({
      bindings: [{ name: 'P', kind: 'uniform', type: 'Params' }, { name: 'A', kind: 'read', type: 'array<f32>' },
        { name: 'B', kind: 'read', type: vec ? 'array<vec4<f32>>' : 'array<f32>' }, ...out.b],
      requires: gemmModules,
      body: `${commonWgsl(cio)}
var<workgroup> red: array<vec4<f32>, ${NT}>;
@compute @workgroup_size(${NT})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let lane = li % ${L}u; let kg = li / ${L}u;
  let zb = wid.z; let split = wid.y;
  batch_init(zb);
  let nb = (wid.x * ${L}u + lane) * 4u;
  let kBeg = split * P.kSplit; let kEnd = min(P.K, kBeg + P.kSplit);
  var acc = vec4<f32>(0.0);
  for (var k = kBeg + kg; k < kEnd; k += ${KG}u) {
    let a = A[oA + k * P.sa.y];
    var b = vec4<f32>(0.0);
    ${bLoad}
    acc = fma(vec4<f32>(a), b, acc);
  }
  red[li] = acc;
  workgroupBarrier();
${range(Math.log2(KG)).map((t) => `  if (kg < ${KG >> (t + 1)}u) { red[li] += red[li + ${(KG >> (t + 1)) * L}u]; }\n  workgroupBarrier();`).join('\n')}
  if (kg == 0u) {
    let s = red[li];
    ${write}
  }
}`,
    }),
  };
}

export function gemvKKernel(p: GemmProblem, io: GemmIo, o: GemvOptions, name: string): KernelSpec {
  const R = GEMV_K.rows, L = GEMV_K.lanes, NT = R * L;
  const vec = gemvKVec(p);
  const out = outBindings(io, o.split, false);
  const nz = p.batch.reduce((x, y) => x * y, 1);
  const loop = vec
    ? `for (var k = kBeg + 4u * lane; k < kEnd; k += ${4 * L}u) { acc += dot(A[(oA + k) / 4u], B[(oB + n * P.sb.y + k) / 4u]); }`
    : `for (var k = kBeg + lane; k < kEnd; k += ${L}u) { acc = fma(A[oA + k * P.sa.y], B[oB + k * P.sb.x + n * P.sb.y], acc); }`;
  const write = o.split ? 'S[split * P.total + zb * P.N + n] = red[li];' : 'Y[oY + n * P.sy.y] = finish(red[li], 0u, n);';
  const cio = o.split ? NO_IO(io) : io;
  const t = vec ? 'array<vec4<f32>>' : 'array<f32>';
  return {
    name: `${name}_gemv_k${o.split ? `_s${o.nSplit}` : ''}`,
    key: `gemm_gemv_k|${R}x${L}|${vec ? 'v4' : 's'}|${o.split ? 'split' : ioKey(io)}`,
    args: [{ input: io.a }, { input: io.b }, ...out.args],
    uniforms: gemmUniforms(p, o.kSplit, o.nSplit, cio),
    workgroups: [Math.ceil(p.N / R), o.nSplit, nz],
    wgsl: () => resolveWgsl({
      bindings: [{ name: 'P', kind: 'uniform', type: 'Params' }, { name: 'A', kind: 'read', type: t }, { name: 'B', kind: 'read', type: t }, ...out.b],
      requires: gemmModules,
      body: `${commonWgsl(cio)}
var<workgroup> red: array<f32, ${NT}>;
@compute @workgroup_size(${NT})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let lane = li % ${L}u; let n = wid.x * ${R}u + li / ${L}u;
  let zb = wid.z; let split = wid.y;
  batch_init(zb);
  let kBeg = split * P.kSplit; let kEnd = min(P.K, kBeg + P.kSplit);
  var acc = 0.0;
  if (n < P.N) {
    ${loop}
  }
  red[li] = acc;
  workgroupBarrier();
${range(Math.log2(L)).map((s) => `  if (lane < ${L >> (s + 1)}u) { red[li] += red[li + ${L >> (s + 1)}u]; }\n  workgroupBarrier();`).join('\n')}
  if (lane == 0u && n < P.N) { ${write} }
}`,
    }),
  };
}

/** Sums the split-K partials (scratch 0: [nSplit][batch·M·N]) and runs `finish` into Y. */
export function reduceKernel(p: GemmProblem, io: GemmIo, kSplit: number, nSplit: number, name: string, maxPerDim: number): KernelSpec {
  const WG = 64;
  const out = outBindings(io, false, false);
  const nz = p.batch.reduce((x, y) => x * y, 1);
  return {
    name: `${name}_splitk_reduce`,
    key: `gemm_reduce|${ioKey(io)}`,
    args: [{ scratch: 0 }, ...out.args],
    uniforms: gemmUniforms(p, kSplit, nSplit, io),
    workgroups: dispatch1d(nz * p.M * p.N, WG, maxPerDim),
    wgsl: () => resolveWgsl({
      bindings: [{ name: 'P', kind: 'uniform', type: 'Params' }, { name: 'S', kind: 'read', type: 'array<f32>' }, ...out.b],
      requires: [...gemmModules, linearIndex(WG)],
      body: `${commonWgsl(io)}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let idx = linear_index(gid, nwg);
  if (idx >= P.total) { return; }
  let n = idx % P.N; let m = (idx / P.N) % P.M;
  batch_init(idx / (P.M * P.N));
  var s = 0.0;
  for (var q = 0u; q < P.nSplit; q++) { s += S[q * P.total + idx]; }
  Y[oY + m * P.sy.x + n * P.sy.y] = finish(s, m, n);
}`,
    }),
  };
}
