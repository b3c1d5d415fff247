/**
 * WGSL kernels of the forward convolution, declared once through one signature (gpu/signature.ts):
 * every shape parameter lives in the parameter block ({@link convParams}) so a pipeline is shared by
 * every conv of the same (path, tile, epilogue, bias, residual) key, and every kernel can run under
 * the network's shared bind group. Paths:
 * - `gemm`: implicit GEMM, M = output pixels (batch folded in), N = output channels of a group,
 *   K = Cin/g·kh·kw, BM×BN tiles staged through workgroup memory, 4×4 micro-tile per thread,
 *   optional split-K (partials in scratch, summed by {@link splitReduceKernel});
 * - `gemm` in pointwise mode (1×1, stride 1, no pad): the same tiling without im2col arithmetic;
 * - `depthwise` and `direct`: conv-pixel-kernels.ts.
 */
import { signature, type KernelSignature, type ParamValues } from '../../gpu/signature.js';
import { epilogueKey, epilogueModule, NO_EPILOGUE, type Epilogue } from '../epilogue.js';
import { declaredKernel, dispatch1d, type KernelArg, type KernelSpec } from '../types.js';
import type { Geom2d } from './geometry.js';
import { linearIndex } from '../wgsl-common.js';

export interface ConvShape {
  batch: number; cin: number; cout: number; groups: number;
  g: Geom2d;
}

export interface ConvIo {
  /** Input indices of the node. */
  x: number; w: number; bias: number | null; residual: number | null;
  epi: Epilogue;
}

/** Every conv kernel binds the same parameters; `extra` is the one each path interprets its own way. */
const PARAMS = {
  batch: 'u32', cin: 'u32', ih: 'u32', iw: 'u32', cout: 'u32', oh: 'u32', ow: 'u32', groups: 'u32',
  kh: 'u32', kw: 'u32', sh: 'u32', sw: 'u32', dh: 'u32', dw: 'u32', pt: 'u32', pl: 'u32',
  cinpg: 'u32', coutpg: 'u32', M: 'u32', K: 'u32', ksplit: 'u32', total: 'u32', nsplit: 'u32', extra: 'u32',
} as const;

export function convParams(s: ConvShape, ksplit = 0, nsplit = 1, extra = 0): ParamValues {
  const g = s.g;
  const cinpg = s.cin / s.groups, coutpg = s.cout / s.groups;
  const K = cinpg * g.kh * g.kw;
  return {
    batch: s.batch, cin: s.cin, ih: g.ih, iw: g.iw, cout: s.cout, oh: g.oh, ow: g.ow, groups: s.groups,
    kh: g.kh, kw: g.kw, sh: g.sh, sw: g.sw, dh: g.dh, dw: g.dw, pt: g.pt, pl: g.pl,
    cinpg, coutpg, M: s.batch * g.oh * g.ow, K, ksplit: ksplit || K, total: s.batch * s.cout * g.oh * g.ow, nsplit, extra,
  };
}

/** Signatures by buffer list (inputs read, the last one written): a handful of combinations, built once each. */
const sigs = new Map<string, KernelSignature>();
function convSig(reads: readonly string[], out: string): KernelSignature {
  const k = `${reads.join(',')}>${out}`;
  let s = sigs.get(k);
  if (!s) {
    s = signature({ params: { ...PARAMS }, buffers: [...reads.map((name) => ({ name, elem: 'f32' as const })), { name: out, elem: 'f32', writes: true }] });
    sigs.set(k, s);
  }
  return s;
}

/** Bias + epilogue + store of value `v` for output channel `co` at flat index `idx`. */
/**
 * The store of a thread's CT output channels of group g at spatial index p (of `spatial` positions), shared by the
 * 2-D and 3-D direct kernels: stops at the group's last channel.
 */
export function storeChunkWgsl(io: ConvIo, spatial: string): string {
  return `  for (var j = 0u; j < CT; j++) {
    let co = co0 + j;
    if (co >= P.coutpg) { break; }
    let cog = g * P.coutpg + co;
    let idx = (n * P.cout + cog) * ${spatial} + p;
    ${storeExpr(io, 'acc[j]', 'cog', 'idx')}
  }`;
}

export function storeExpr(io: ConvIo, v: string, co: string, idx: string): string {
  const b = io.bias !== null ? ` + Bias_ld(${co})` : '';
  const r = io.residual !== null ? `Res_ld(${idx})` : '0.0';
  return `Y_st(${idx}, epilogue(${v}${b}, ${r}));`;
}

/** Bias and residual bindings (after X and W). */
function ioBindings(io: ConvIo): { names: string[]; args: KernelArg[] } {
  const names: string[] = [], args: KernelArg[] = [];
  if (io.bias !== null) { names.push('Bias'); args.push({ input: io.bias }); }
  if (io.residual !== null) { names.push('Res'); args.push({ input: io.residual }); }
  return { names, args };
}

function ioKey(io: ConvIo): string {
  return `${io.bias !== null ? 'b' : ''}${io.residual !== null ? 'r' : ''}|${epilogueKey(io.epi)}`;
}

export interface GemmTile {
  bm: number; bn: number; bk: number;
  /** Register prefetch: the next K-step's global loads are issued before this step's FMAs, so
   * their latency hides behind arithmetic (batch-1 layers are a chain of short, latency-bound steps). */
  pf?: boolean;
}

/**
 * Implicit-GEMM conv. With `nsplit > 1` it writes raw partial sums to scratch 0
 * ([nsplit][total]) and a reduce kernel applies bias and epilogue.
 */
export function gemmKernels(s: ConvShape, io: ConvIo, t: GemmTile, pointwise: boolean, nsplit: number, pair = true): { kernels: KernelSpec[]; scratch?: number[] } {
  const { bm, bn, bk } = t;
  const TX = bm / 4, TY = bn / 4, NT = TX * TY;
  const cinpg = s.cin / s.groups, coutpg = s.cout / s.groups;
  const K = cinpg * s.g.kh * s.g.kw;
  const M = s.batch * s.g.oh * s.g.ow;
  const total = s.batch * s.cout * s.g.oh * s.g.ow;
  const ksplit = nsplit > 1 ? Math.ceil(Math.ceil(K / nsplit) / bk) * bk : K;
  const split = nsplit > 1;
  const params = convParams(s, ksplit, nsplit);
  const epi = split ? NO_EPILOGUE : io.epi;
  const tail = split ? { names: [], args: [] as KernelArg[] } : ioBindings(io);
  const outArg: KernelArg = split ? { scratch: 0 } : { output: 0 };
  const pf = t.pf !== false;
  // A split site's GEMM and reduce share one module and pipeline (the `paired` branch below): recording sets it once for both.
  const paired = split && pair;
  const key = `conv_gemm_${bm}x${bn}x${bk}${pf ? 'pf' : ''}_${pointwise ? 'pw' : 'im2col'}_${paired ? `splitpair_${ioKey(io)}` : split ? 'split' : ioKey(io)}`;
  const aRows = Math.ceil(bk / TY);
  const bSlots = Math.ceil((bk * TY) / NT);
  const store = paired
    ? 'S_st(split * P.total + idx, v);'
    : split
    ? 'Y_st(split * P.total + idx, v);'
    : storeExpr(io, 'v', 'cog', 'idx');
  const aLoad = pointwise
    ? `if (abase[i] >= 0) { v[i] = X_ld(u32(abase[i]) + k * ohw); }`
    : `let iy = aiy[i] + dy; let ix = aix[i] + dx;
          if (iy >= 0 && iy < i32(P.ih) && ix >= 0 && ix < i32(P.iw)) { v[i] = X_ld(u32(abase[i] + coff + iy * i32(P.iw) + ix)); }`;
  const aSetup = pointwise
    ? `abase[i] = -1;
      if (m < P.M) { let n = m / ohw; let p = m - n * ohw; abase[i] = i32((n * P.cin + g * P.cinpg) * ohw + p); }`
    : `abase[i] = 0; aiy[i] = -1073741824; aix[i] = 0;
      if (m < P.M) {
        let n = m / ohw; let p = m - n * ohw; let oy = p / P.ow; let ox = p - oy * P.ow;
        aiy[i] = i32(oy * P.sh) - i32(P.pt); aix[i] = i32(ox * P.sw) - i32(P.pl);
        abase[i] = i32((n * P.cin + g * P.cinpg) * P.ih * P.iw);
      }`;
  const kDecode = pointwise ? '' : `let ci = k / khw; let rem = k - ci * khw; let ky = rem / P.kw; let kx = rem - ky * P.kw;
          let dy = i32(ky * P.dh); let dx = i32(kx * P.dw); let coff = i32(ci * P.ih * P.iw);`;
  const source = () => ({
    requires: paired ? [epilogueModule(io.epi), linearIndex(NT)] : [epilogueModule(epi)],
    body: `const BM = ${bm}u; const BN = ${bn}u; const BK = ${bk}u; const TX = ${TX}u; const TY = ${TY}u; const NT = ${NT}u;
var<workgroup> As: array<vec4<f32>, ${(bk * bm) / 4}>;
var<workgroup> Bs: array<vec4<f32>, ${(bk * bn) / 4}>;
fn loadTiles(k0: u32, kEnd: u32, tid: u32, tx: u32, ty: u32, wrow: u32, ohw: u32, khw: u32, m0: u32, n0: u32,
    abase: array<i32, 4>, aiy: array<i32, 4>, aix: array<i32, 4>,
    ra: ptr<function, array<vec4<f32>, ${aRows}>>, rb: ptr<function, array<vec4<f32>, ${bSlots}>>) {
  for (var r = 0u; r < ${aRows}u; r++) {
    let kl = ty + r * TY;
    var v = vec4<f32>(0.0);
    if (kl < BK) {
      let k = k0 + kl;
      if (k < kEnd) {
        ${kDecode}
        for (var i = 0u; i < 4u; i++) {
        ${aLoad}
        }
      }
    }
    (*ra)[r] = v;
  }
  for (var r = 0u; r < ${bSlots}u; r++) {
    let sl = tid + r * NT;
    var v = vec4<f32>(0.0);
    if (sl < BK * TY) {
      let kl = sl % BK; let nq = sl / BK; let k = k0 + kl;
      if (k < kEnd) {
        for (var j = 0u; j < 4u; j++) {
          let n = n0 + nq * 4u + j;
          if (n < P.coutpg) { v[j] = W_ld((wrow + n) * P.K + k); }
        }
      }
    }
    (*rb)[r] = v;
  }
}
${paired ? 'fn gemm_phase(tid: u32, wid: vec3<u32>) {' : `@compute @workgroup_size(${NT}) fn main(@builtin(local_invocation_index) tid: u32, @builtin(workgroup_id) wid: vec3<u32>) {`}
  let P = wgml_init();
  let g = wid.z % P.groups; let split = wid.z / P.groups;
  let m0 = wid.x * BM; let n0 = wid.y * BN;
  let tx = tid % TX; let ty = tid / TX;
  let ohw = P.oh * P.ow; let khw = P.kh * P.kw;
  var abase: array<i32, 4>; var aiy: array<i32, 4>; var aix: array<i32, 4>;
  for (var i = 0u; i < 4u; i++) {
    let m = m0 + tx * 4u + i;
    ${aSetup}
  }
  var acc: array<vec4<f32>, 4>;
  let kBeg = split * P.ksplit; let kEnd = min(P.K, kBeg + P.ksplit);
  let wrow = g * P.coutpg;
  var ra: array<vec4<f32>, ${aRows}>;
  var rb: array<vec4<f32>, ${bSlots}>;
  ${pf ? 'loadTiles(kBeg, kEnd, tid, tx, ty, wrow, ohw, khw, m0, n0, abase, aiy, aix, &ra, &rb);' : ''}
  for (var k0 = kBeg; k0 < kEnd; k0 += BK) {
    ${pf ? '' : 'loadTiles(k0, kEnd, tid, tx, ty, wrow, ohw, khw, m0, n0, abase, aiy, aix, &ra, &rb);'}
    for (var r = 0u; r < ${aRows}u; r++) {
      let kl = ty + r * TY;
      if (kl < BK) { As[kl * TX + tx] = ra[r]; }
    }
    for (var r = 0u; r < ${bSlots}u; r++) {
      let sl = tid + r * NT;
      if (sl < BK * TY) { let kl = sl % BK; let nq = sl / BK; Bs[kl * TY + nq] = rb[r]; }
    }
    workgroupBarrier();
    ${pf ? 'if (k0 + BK < kEnd) { loadTiles(k0 + BK, kEnd, tid, tx, ty, wrow, ohw, khw, m0, n0, abase, aiy, aix, &ra, &rb); }' : ''}
    workgroupBarrier();
    for (var kk = 0u; kk < BK; kk++) {
      let a = As[kk * TX + tx]; let b = Bs[kk * TY + ty];
      acc[0] += a.x * b; acc[1] += a.y * b; acc[2] += a.z * b; acc[3] += a.w * b;
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    let m = m0 + tx * 4u + i;
    if (m >= P.M) { continue; }
    let n = m / ohw; let p = m - n * ohw;
    for (var j = 0u; j < 4u; j++) {
      let co = n0 + ty * 4u + j;
      if (co >= P.coutpg) { continue; }
      let cog = wrow + co;
      let idx = (n * P.cout + cog) * ohw + p;
      let v = acc[i][j];
      ${store}
    }
  }
}${paired ? `
${reducePhase(io)}
@compute @workgroup_size(${NT})
fn main(@builtin(local_invocation_index) tid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  // The GEMM dispatch has groups·nsplit ≥ 2 workgroups along z, the reduce dispatch one.
  if (nwg.z > 1u) { gemm_phase(tid, wid); } else { reduce_phase(gid, nwg); }
}` : ''}`,
  });
  const name = `conv_gemm_${bm}x${bn}${pointwise ? '_pw' : ''}${split ? '_splitk' : ''}`;
  const workgroups: [number, number, number] = [Math.ceil(M / bm), Math.ceil(coutpg / bn), s.groups * nsplit];
  if (paired) {
    const pio = ioBindings(io);
    const common = { key, source, sig: pairSig(pio.names), params, args: [{ input: io.x }, { input: io.w }, ...pio.args, { scratch: 0 }, { output: 0 }] as KernelArg[] };
    return {
      kernels: [declaredKernel({ ...common, name, workgroups }), declaredKernel({ ...common, name: 'conv_splitk_reduce', workgroups: dispatch1d(total, NT) })],
      scratch: [nsplit * total * 4],
    };
  }
  const gemm = declaredKernel({
    name, key, source,
    sig: convSig(['X', 'W', ...tail.names], 'Y'), params,
    args: [{ input: io.x }, { input: io.w }, ...tail.args, outArg],
    workgroups,
  });
  if (!split) return { kernels: [gemm] };
  return { kernels: [gemm, splitReduceKernel(io, params, total)], scratch: [nsplit * total * 4] };
}

/** X, W, bias/residual, then the partials S and the output Y, both written: a split-K pair's buffers. */
function pairSig(tail: readonly string[]): KernelSignature {
  const k = `pair:${tail.join(',')}`;
  let s = sigs.get(k);
  if (!s) {
    s = signature({ params: { ...PARAMS }, buffers: [...['X', 'W', ...tail].map((name) => ({ name, elem: 'f32' as const })), { name: 'S', elem: 'f32', writes: true }, { name: 'Y', elem: 'f32', writes: true }] });
    sigs.set(k, s);
  }
  return s;
}

/**
 * The reduce half of a split-K pair, as a function of the GEMM's module: one thread per output sums
 * the partials, adds bias, applies the epilogue. Same work as {@link splitReduceKernel}.
 */
function reducePhase(io: ConvIo): string {
  return `fn reduce_phase(gid: vec3<u32>, nwg: vec3<u32>) {
  let P = wgml_init();
  let idx = linear_index(gid, nwg);
  if (idx >= P.total) { return; }
  var v = 0.0;
  for (var sp = 0u; sp < P.nsplit; sp++) { v += S_ld(sp * P.total + idx); }
  let cog = (idx / (P.oh * P.ow)) % P.cout;
  ${storeExpr(io, 'v', 'cog', 'idx')}
}`;
}

/** Sums split-K partials, adds bias, applies the epilogue. */
function splitReduceKernel(io: ConvIo, params: ParamValues, total: number): KernelSpec {
  const tail = ioBindings(io);
  return declaredKernel({
    name: 'conv_splitk_reduce', key: `conv_splitk_reduce_${ioKey(io)}`,
    // Scratch binds read_write (the runtime's layout rule for scratch) although this kernel only reads it.
    sig: convSig(['S', ...tail.names], 'Y'), params,
    args: [{ scratch: 0 }, ...tail.args, { output: 0 }],
    workgroups: dispatch1d(total, 256),
    source: () => ({
      requires: [epilogueModule(io.epi)],
      body: `@compute @workgroup_size(256) fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let P = wgml_init();
  let idx = gid.x + gid.y * nwg.x * 256u;
  if (idx >= P.total) { return; }
  var v = 0.0;
  for (var sp = 0u; sp < P.nsplit; sp++) { v += S_ld(sp * P.total + idx); }
  let cog = (idx / (P.oh * P.ow)) % P.cout;
  ${storeExpr(io, 'v', 'cog', 'idx')}
}`,
    }),
  });
}

/**
 * The frame every single-output conv kernel shares: args X, W, bias, residual → Y; bindings in that
 * order (the conv signature); the epilogue module; `key` suffixed with the bias/residual/epilogue
 * flags. `body` (whose main starts `let P = wgml_init();`) is built only when the pipeline is.
 */
export function convKernel(io: ConvIo, k: { name: string; key: string; params: ParamValues; workgroups: [number, number, number]; body: () => string }): KernelSpec {
  const tail = ioBindings(io);
  return declaredKernel({
    name: k.name, key: `${k.key}_${ioKey(io)}`,
    sig: convSig(['X', 'W', ...tail.names], 'Y'), params: k.params,
    args: [{ input: io.x }, { input: io.w }, ...tail.args, { output: 0 }],
    workgroups: k.workgroups,
    source: () => ({ requires: [epilogueModule(io.epi)], body: k.body() }),
  });
}
