/**
 * The second dispatch of a split-K GEMM: sum the partials (scratch 0: [nSplit][batch·M·N]) and run
 * `finish` (alpha, C, the fused epilogue) into Y.
 * - `reduceKernel`: one thread per 4 outputs when rows are a multiple of 4 wide (vec4 partials), else
 *   per output;
 * - `normReduceKernel`: a GEMM followed by LayerNormalization over its rows (passes/fuse-gemm-epilogue.ts
 *   folds it in: the attention out-projection and FFN-down of a post-norm encoder, the residual stream
 *   into the next pre-norm LayerNorm) — one workgroup per row sums the partials, finishes them (the
 *   residual add is in the epilogue), writes Y (output 0), keeps the row in registers and writes the
 *   normalized row (output 1). The reduce a split needs anyway does the LayerNorm's work, so the pair
 *   costs no extra dispatch; an unsplit GEMM with a LayerNorm writes raw products (one "split") for it.
 */
import { signature, type BufferDecl } from '../../gpu/signature.js';
import { declaredKernel, dispatch1d, type KernelArg, type KernelSpec } from '../types.js';
import { linearIndex } from '../wgsl-common.js';
import { batchOffsets, extBuffers, finishCall, finishWgsl, gemmModules, gemmParams, gemmParamValues, ioKey, type GemmIo } from './gemm-common.js';
import type { GemmProblem } from './gemm-layout.js';
import { PHASE_ARGS } from './gemm-tile.js';
import { wgReduceWgsl } from './rows-kernel.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * `var s` = the sum of the partials `ld(q)` over the splits, four loads in flight at a time (a reduce
 * thread does little else: its time is the latency of these loads).
 */
function splitSum(T: string, ld: (q: string) => string): string {
  return `var s = ${T}(0.0);
    var q = 0u;
    for (; q + 4u <= P.nSplit; q += 4u) { s += (${ld('q')} + ${ld('(q + 1u)')}) + (${ld('(q + 2u)')} + ${ld('(q + 3u)')}); }
    for (; q < P.nSplit; q++) { s += ${ld('q')}; }`;
}

/** Sums the split-K partials and runs `finish` into Y; `yVec`: Y takes vec4 stores (n-contiguous, aligned). */
export function reduceKernel(p: GemmProblem, io: GemmIo, kSplit: number, nSplit: number, yVec: boolean, name: string, maxPerDim: number, phaseWg = 0): KernelSpec {
  // phaseWg: the body as reduce_phase of a split-K pair's module (gemm-pair.ts), in workgroups of that size
  const WG = phaseWg || 64;
  const W = p.N % 4 === 0 ? 4 : 1; // outputs per thread: a vec4 of partials never straddles a row
  const yv = W === 4 && yVec;
  const ext = extBuffers(io);
  const nz = p.batch.reduce((a, b) => a * b, 1);
  const sig = signature({
    params: gemmParams(p.batch.length, io.ext.length),
    buffers: [{ name: 'S', elem: 'f32', vec4: W === 4 }, ...ext.buffers, { name: 'Y', elem: 'f32', writes: true, vec4: yv }],
  });
  const fin = (c: number) => finishCall(io, W === 4 ? `s[${c}]` : 's', 'm', `n + ${c}u`);
  const sum = splitSum(W === 4 ? 'vec4<f32>' : 'f32', (q) => (W === 4 ? `S_ld4(${q} * (P.total / 4u) + j)` : `S_ld(${q} * P.total + j)`));
  const store = yv
    ? `Y_st4((oY + m * P.sy[0].x + n) / 4u, vec4<f32>(${range(4).map(fin).join(', ')}));`
    : range(W).map((c) => `Y_st(oY + m * P.sy[0].x + (n + ${c}u) * P.sy[0].y, ${fin(c)});`).join('\n  ');
  return declaredKernel({
    name: `${name}_splitk_reduce`,
    key: `gemm_reduce|w${W}|y${yv ? 4 : 1}|nb${p.batch.length}|${ioKey(io)}`,
    sig, args: [{ scratch: 0 }, ...ext.args, { output: 0 }] as KernelArg[],
    params: gemmParamValues(p, kSplit, nSplit, io),
    workgroups: dispatch1d(nz * p.M * p.N / W, WG, maxPerDim),
    source: () => ({
      requires: [...gemmModules(io), linearIndex(WG)],
      body: `${finishWgsl(io)}
${phaseWg ? `fn reduce_phase(${PHASE_ARGS}) {` : `@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {`}
  let P = wgml_init();
  let j = linear_index(gid, nwg);
  if (j >= P.total / ${W}u) { return; }
  let idx = j * ${W}u;
  let n = idx % P.N; let m = (idx / P.N) % P.M;
  ${batchOffsets(p.batch.length, io.ext.length, 'idx / (P.M * P.N)')}
  ${sum}
  ${store}
}`,
    }),
  });
}

/** The LayerNormalization a GEMM's reduce runs over each output row (inputs of the node). */
export interface GemmNorm { scale: number; bias: number | null; eps: number }

/**
 * Lanes per row and row chunks (vec4s or scalars) per lane: as many lanes as the row has chunks (up to
 * 256), since each chunk costs one load per split and those loads are what the kernel waits for.
 */
export function normLanes(chunks: number): { L: number; per: number } {
  let L = 32;
  while (L < 256 && L < chunks) L *= 2;
  return { L, per: Math.ceil(chunks / L) };
}

/**
 * Partials → finish → Y (output 0) → LayerNorm over n → Z (output 1, dense rows). One workgroup per
 * row of the (batch-folded) product; the row stays in registers between the passes (two-pass mean and
 * variance, as the LayerNorm kernel computes them).
 */
export function normReduceKernel(p: GemmProblem, io: GemmIo, norm: GemmNorm, kSplit: number, nSplit: number, yVec: boolean, name: string, maxPerDim: number, phaseLanes = 0): KernelSpec {
  const W = p.N % 4 === 0 ? 4 : 1;
  const T = W === 4 ? 'vec4<f32>' : 'f32';
  const yv = W === 4 && yVec;
  // phaseLanes: the body as reduce_phase of a split-K pair's module (gemm-pair.ts), with that many lanes a row
  const { L, per } = phaseLanes ? { L: phaseLanes, per: Math.ceil(Math.ceil(p.N / W) / phaseLanes) } : normLanes(Math.ceil(p.N / W));
  const ext = extBuffers(io);
  const rows = p.batch.reduce((a, b) => a * b, 1) * p.M;
  const v4 = W === 4;
  const buffers: BufferDecl[] = [{ name: 'S', elem: 'f32', vec4: v4 }, ...ext.buffers, { name: 'G', elem: 'f32', vec4: v4 }];
  const args: KernelArg[] = [{ scratch: 0 }, ...ext.args, { input: norm.scale }];
  if (norm.bias !== null) { buffers.push({ name: 'Bi', elem: 'f32', vec4: v4 }); args.push({ input: norm.bias }); }
  buffers.push({ name: 'Y', elem: 'f32', writes: true, vec4: yv }, { name: 'Z', elem: 'f32', writes: true, vec4: v4 });
  args.push({ output: 0 }, { output: 1 });
  const sig = signature({ params: { ...gemmParams(p.batch.length, io.ext.length), eps: 'f32' }, buffers });
  const ld = (b: string, i: string) => (v4 ? `${b}_ld4((${i}) / 4u)` : `${b}_ld(${i})`);
  const fin = (c: number) => finishCall(io, v4 ? `s[${c}]` : 's', 'm', `n + ${c}u`);
  const hsum = (x: string) => (v4 ? `dot(${x}, vec4<f32>(1.0))` : x);
  const each = (body: string) => range(per).map((t) => `{ let n = (lane + ${t * L}u) * ${W}u; if (live && n < P.N) { ${body.replace(/\$t/g, String(t))} } }`).join('\n  ');
  const yStore = yv
    ? 'Y_st4((oY + m * P.sy[0].x + n) / 4u, v);'
    : v4 ? range(4).map((c) => `Y_st(oY + m * P.sy[0].x + (n + ${c}u) * P.sy[0].y, v[${c}]);`).join(' ') : 'Y_st(oY + m * P.sy[0].x + n * P.sy[0].y, v);';
  return declaredKernel({
    name: `${name}_reduce_layernorm`,
    key: `gemm_reduce_ln|w${W}|y${yv ? 4 : 1}|L${L}x${per}|b${norm.bias !== null ? 1 : 0}|nb${p.batch.length}|${ioKey(io)}`,
    sig, args, params: { ...gemmParamValues(p, kSplit, nSplit, io), eps: norm.eps },
    workgroups: dispatch1d(rows, 1, maxPerDim),
    source: () => ({
      requires: gemmModules(io),
      body: `${finishWgsl(io)}
${wgReduceWgsl('wg_sum', L, 1, (a, b) => `${a} + ${b}`)}
${phaseLanes ? `fn reduce_phase(${PHASE_ARGS}) {
  let lane = li;` : `@compute @workgroup_size(${L})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {`}
  let P = wgml_init();
  let row = wid.x + wid.y * nwg.x;
  // Workgroups past the last row (a folded grid's tail) do no work but reach every barrier.
  let live = row < P.total / P.N;
  let zb = row / P.M; let m = row % P.M;
  ${batchOffsets(p.batch.length, io.ext.length, 'zb')}
  var c: array<${T}, ${per}>;
  var acc = 0.0;
  ${each(`${splitSum(T, (q) => ld('S', `${q} * P.total + row * P.N + n`))}
    let v = ${v4 ? `vec4<f32>(${range(4).map(fin).join(', ')})` : fin(0)};
    ${yStore}
    c[$t] = v; acc += ${hsum('v')};`)}
  let mean = wg_sum(acc, 0u, lane) / f32(P.N);
  var sq = 0.0;
  ${each(`let d = c[$t] - mean; sq += ${hsum('d * d')};`)}
  let inv = inverseSqrt(wg_sum(sq, 0u, lane) / f32(P.N) + P.eps);
  ${each(`let g = ${ld('G', 'n')};${norm.bias !== null ? ` let b = ${ld('Bi', 'n')};` : ''}
    ${v4 ? 'Z_st4((row * P.N + n) / 4u,' : 'Z_st(row * P.N + n,'} (c[$t] - mean) * inv * g${norm.bias !== null ? ' + b' : ''});`)}
}`,
    }),
  });
}
