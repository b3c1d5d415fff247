/**
 * Single-row GEMMs (M = 1 after normalization: a batch-1 token, a classifier head, N = 1 transposed).
 * A GEMV reads each element of B once, so it is bound by memory, not FMAs:
 * - `gemv_n` (B contiguous along n, e.g. row-major weights): LANES threads along n, each owning a vec4
 *   of columns, times KG groups along k; coalesced vec4 rows of B, A's element broadcast, the KG
 *   partial vec4s summed in workgroup memory;
 * - `gemv_k` (B contiguous along k, or any strides): ROWS outputs per workgroup, LANES threads along k
 *   per output (vec4 loads when A and B are both k-contiguous and aligned), summed by a tree.
 * Both split K across workgroups (y) when the grid is small, like the tiled kernel, with the same
 * reduce kernel (gemm-reduce.ts) finishing the sum.
 */
import { signature, type BufferDecl } from '../../gpu/signature.js';
import { declaredKernel, type KernelArg, type KernelSpec } from '../types.js';
import { batchOffsets, extBuffers, finishCall, finishWgsl, gemmModules, gemmParams, gemmParamValues, ioKey, rawIo, type GemmIo } from './gemm-common.js';
import type { GemmProblem } from './gemm-layout.js';
import { GEMV_K, GEMV_N } from './gemm-select.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** The output buffers of a GEMV: raw partials to scratch when split, else the epilogue inputs and Y. */
function outBuffers(io: GemmIo, split: boolean, yVec: boolean): { buffers: BufferDecl[]; args: KernelArg[] } {
  if (split) return { buffers: [{ name: 'S', elem: 'f32', writes: true }], args: [{ scratch: 0 }] };
  const e = extBuffers(io);
  return { buffers: [...e.buffers, { name: 'Y', elem: 'f32', writes: true, vec4: yVec }], args: [...e.args, { output: 0 }] };
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
  const cio = o.split ? rawIo(io) : io;
  const out = outBuffers(cio, o.split, yVec);
  const nz = p.batch.reduce((x, y) => x * y, 1);
  const bLoad = vec
    ? `if (nb < P.N) { b = B_ld4((oB + k * P.sb[0].x + nb) / 4u); }`
    : range(4).map((c) => `if (nb + ${c}u < P.N) { b[${c}] = B_ld(oB + k * P.sb[0].x + (nb + ${c}u) * P.sb[0].y); }`).join(' ');
  const fin = (c: number) => finishCall(cio, `s[${c}]`, '0u', `nb + ${c}u`);
  const write = o.split
    ? range(4).map((c) => `if (nb + ${c}u < P.N) { S_st(split * P.total + zb * P.N + nb + ${c}u, s[${c}]); }`).join('\n    ')
    : yVec
      ? `if (nb < P.N) { Y_st4((oY + nb) / 4u, vec4<f32>(${range(4).map(fin).join(', ')})); }`
      : range(4).map((c) => `if (nb + ${c}u < P.N) { Y_st(oY + (nb + ${c}u) * P.sy[0].y, ${fin(c)}); }`).join('\n    ');
  const sig = signature({ params: gemmParams(p.batch.length, cio.ext.length), buffers: [{ name: 'A', elem: 'f32' }, { name: 'B', elem: 'f32', vec4: vec }, ...out.buffers] });
  return declaredKernel({
    name: `${name}_gemv_n${o.split ? `_s${o.nSplit}` : ''}`,
    key: `gemm_gemv_n|${L}x${KG}|${vec ? 'v4' : 's'}|nb${p.batch.length}|${o.split ? 'split' : `Y${yVec ? 4 : 1}|${ioKey(io)}`}`,
    sig, args: [{ input: io.a }, { input: io.b }, ...out.args],
    params: gemmParamValues(p, o.kSplit, o.nSplit, cio),
    workgroups: [Math.ceil(p.N / (4 * L)), o.nSplit, nz],
    source: () => ({
      requires: gemmModules(cio),
      body: `${finishWgsl(cio)}
var<workgroup> red: array<vec4<f32>, ${NT}>;
@compute @workgroup_size(${NT})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let P = wgml_init();
  let lane = li % ${L}u; let kg = li / ${L}u;
  let zb = wid.z; let split = wid.y;
  ${batchOffsets(p.batch.length, cio.ext.length, 'zb')}
  let nb = (wid.x * ${L}u + lane) * 4u;
  let kBeg = split * P.kSplit; let kEnd = min(P.K, kBeg + P.kSplit);
  var acc = vec4<f32>(0.0);
  for (var k = kBeg + kg; k < kEnd; k += ${KG}u) {
    let a = A_ld(oA + k * P.sa[0].y);
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
  });
}

export function gemvKKernel(p: GemmProblem, io: GemmIo, o: GemvOptions, name: string): KernelSpec {
  const R = GEMV_K.rows, L = GEMV_K.lanes, NT = R * L;
  const vec = gemvKVec(p);
  const cio = o.split ? rawIo(io) : io;
  const out = outBuffers(cio, o.split, false);
  const nz = p.batch.reduce((x, y) => x * y, 1);
  const loop = vec
    ? `for (var k = kBeg + 4u * lane; k < kEnd; k += ${4 * L}u) { acc += dot(A_ld4((oA + k) / 4u), B_ld4((oB + n * P.sb[0].y + k) / 4u)); }`
    : `for (var k = kBeg + lane; k < kEnd; k += ${L}u) { acc = fma(A_ld(oA + k * P.sa[0].y), B_ld(oB + k * P.sb[0].x + n * P.sb[0].y), acc); }`;
  const write = o.split ? 'S_st(split * P.total + zb * P.N + n, red[li]);' : `Y_st(oY + n * P.sy[0].y, ${finishCall(cio, 'red[li]', '0u', 'n')});`;
  const sig = signature({ params: gemmParams(p.batch.length, cio.ext.length), buffers: [{ name: 'A', elem: 'f32', vec4: vec }, { name: 'B', elem: 'f32', vec4: vec }, ...out.buffers] });
  return declaredKernel({
    name: `${name}_gemv_k${o.split ? `_s${o.nSplit}` : ''}`,
    key: `gemm_gemv_k|${R}x${L}|${vec ? 'v4' : 's'}|nb${p.batch.length}|${o.split ? 'split' : ioKey(io)}`,
    sig, args: [{ input: io.a }, { input: io.b }, ...out.args],
    params: gemmParamValues(p, o.kSplit, o.nSplit, cio),
    workgroups: [Math.ceil(p.N / R), o.nSplit, nz],
    source: () => ({
      requires: gemmModules(cio),
      body: `${finishWgsl(cio)}
var<workgroup> red: array<f32, ${NT}>;
@compute @workgroup_size(${NT})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let P = wgml_init();
  let lane = li % ${L}u; let n = wid.x * ${R}u + li / ${L}u;
  let zb = wid.z; let split = wid.y;
  ${batchOffsets(p.batch.length, cio.ext.length, 'zb')}
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
  });
}
