/**
 * The fused attention kernel (flash-attention style): one dispatch computes softmax(scale·Q·Kᵀ ⊕ masks)·V
 * for every batch/head and query block. A workgroup owns BQ query rows of one batch index; K and V are
 * streamed through workgroup memory BK keys at a time and the softmax is accumulated online (running
 * max m and sum l per row, the accumulator rescaled by exp(m_old − m_new)), so the Sq×Sk scores never
 * reach memory. Every operand is read through strides (views of a packed QKV projection, of [B, S, H, D]
 * layouts, masks broadcast with stride 0) and the output is written through strides too.
 *
 * Thread layout: T threads per query row (NT = BQ·T). Thread t of row r computes the scores of keys
 * t, t+T, … of each block (BK/T of them), and owns output vec4 columns t, t+T, … (DMAX/4/T of them), so
 * the per-row max is combined over T partials and the row sum is kept per thread and combined once at
 * the end. K rows are padded by one vec4 in workgroup memory so the T threads of a row, which read
 * different keys at the same d, hit different banks.
 *
 * Fully masked rows: scores of −inf everywhere give 0/0 = NaN, as Softmax followed by MatMul gives in
 * the unfused graph (and in onnxruntime); a finite fill value gives the uniform average, as it does there.
 */
import { resolveWgsl, type WgslBinding } from '../../gpu/wgsl.js';
import { UniformWriter, type KernelArg, type KernelSpec } from '../types.js';
import { prod } from './util.js';

/** How the mask input changes a score s: 'add' s + m; 'keep' m ≠ 0 ? s : fill; 'drop' m ≠ 0 ? fill : s. */
export type MaskMode = 'none' | 'add' | 'keep' | 'drop';

/** Where one operand's elements sit: element (z…, row, col) is at offset + Σ z·batch + row·s + col·d. */
export interface OperandLayout { batch: number[]; s: number; d: number; offset: number }

export interface AttentionProblem {
  /** Output batch dims (heads included), outermost first. */
  batch: number[];
  Sq: number; Sk: number; D: number; Dv: number;
  q: OperandLayout; k: OperandLayout; v: OperandLayout; out: OperandLayout;
  /** For the mask, `s` steps queries and `d` steps keys. */
  mask: OperandLayout | null;
  maskMode: MaskMode;
  /** 'f32' for additive masks; the word type of a boolean/integer mask. */
  maskType: 'f32' | 'i32' | 'u32';
  scale: number;
  /** The value a masked score takes ('keep'/'drop'). */
  fill: number;
  causal: boolean;
  /** Key j is causally masked for query i when j > i + causalOffset; it then takes causalFill. */
  causalOffset: number;
  causalFill: number;
}

/** Block sizes of one pipeline: BQ queries per workgroup, BK keys per step, T threads per query row, DMAX the widest head. */
export interface AttentionConfig { bq: number; bk: number; t: number; dmax: number }

export const MAX_ATTENTION_BATCH_DIMS = 8;
export const MAX_HEAD_SIZE = 256;

/** Bytes of workgroup memory a configuration uses. */
export function attentionSmem(c: AttentionConfig): number {
  const d4 = c.dmax / 4;
  return 16 * (c.bq * d4 + c.bk * (d4 + 1) + c.bk * d4) + 4 * (c.bq * (c.bk + 1) + c.bq * c.t);
}

/** Is the configuration well formed (divisibility the WGSL relies on) and within the device's limits? */
export function attentionConfigOk(c: AttentionConfig, maxSmem: number, maxInvocations: number): boolean {
  const d4 = c.dmax / 4;
  return Number.isInteger(d4) && c.bk % c.t === 0 && d4 % c.t === 0 && c.bq * c.t <= maxInvocations && attentionSmem(c) <= maxSmem;
}

/**
 * The configuration for a problem. BQ = 8 query rows per workgroup when there are few batch·head
 * indices (batch-1 BERT: 12 heads × 128 queries = 192 workgroups of 8 rows, enough for 132 SMs), 16 from
 * 64 of them; BK as large as workgroup memory allows (32, else 16, else 8). It depends on the batch,
 * heads and head size but not on the sequence length, so a pipeline for another length reuses the
 * compiled kernel. bench/attention.ts times the alternatives.
 */
export function attentionConfig(p: { batch: number[]; Sq: number; D: number; Dv: number }, maxSmem: number, maxInvocations: number): AttentionConfig | string {
  const widest = Math.max(p.D, p.Dv);
  if (widest > MAX_HEAD_SIZE) return `head size ${widest} is over the fused attention kernel's ${MAX_HEAD_SIZE}`;
  let dmax = 32;
  while (dmax < widest) dmax *= 2;
  const bqs = prod(p.batch) >= 64 ? [16, 8] : [8, 16];
  for (const bq of bqs) for (const bk of [32, 16, 8]) {
    const c = { bq, bk, t: 8, dmax };
    if (attentionConfigOk(c, maxSmem, maxInvocations)) return c;
  }
  return `no attention kernel configuration fits this device's workgroup memory (${maxSmem} bytes) for head size ${widest}`;
}

/**
 * Merge adjacent batch dims that every operand steps through contiguously (e.g. [B, H] of dense
 * [B, H, S, D] tensors becomes [B·H]) and drop size-1 dims, so most problems need one or two.
 */
export function mergeBatchDims(batch: number[], strides: number[][]): { batch: number[]; strides: number[][] } {
  const dims = batch.map((n, d) => ({ n, s: strides.map((st) => st[d]!) })).filter((x) => x.n !== 1);
  const out: typeof dims = [];
  for (const x of dims) {
    const prev = out[out.length - 1];
    if (prev && prev.s.every((s, k) => s === x.s[k]! * x.n)) { prev.n *= x.n; prev.s = x.s; continue; }
    out.push({ n: x.n, s: [...x.s] });
  }
  return { batch: out.map((x) => x.n), strides: strides.map((_, k) => out.map((x) => x.s[k]!)) };
}

const layoutVec = (l: OperandLayout | null) => [l?.s ?? 0, l?.d ?? 0, l?.offset ?? 0, 0];

function uniforms(p: AttentionProblem, batch: number[], bs: number[][], qBlocks: number, skip: boolean): ArrayBuffer {
  return new UniformWriter()
    .u32(p.Sq, p.Sk, p.D, p.Dv)
    .u32(batch.length, prod(batch), qBlocks, skip ? 1 : 0)
    .f32(p.scale, p.fill, p.causalFill, -Infinity)
    .i32(p.causalOffset, 0, 0, 0)
    .u32(...layoutVec(p.q), ...layoutVec(p.k), ...layoutVec(p.v), ...layoutVec(p.mask), ...layoutVec(p.out))
    .u32Array(batch, 2).u32Array(bs[0]!, 2).u32Array(bs[1]!, 2).u32Array(bs[2]!, 2).u32Array(bs[3]!, 2).u32Array(bs[4]!, 2)
    .finish();
}

const MASK_WGSL: Record<MaskMode, string> = {
  none: '',
  add: 'x = x + f32(M[om + i * P.lm.x + kj * P.lm.y]);',
  keep: 'if (M[om + i * P.lm.x + kj * P.lm.y] == MZERO) { x = P.fill; }',
  drop: 'if (M[om + i * P.lm.x + kj * P.lm.y] != MZERO) { x = P.fill; }',
};

/**
 * Rows [r0, r0 + rows) of an operand into workgroup memory (row stride `pitch` vec4s), zero past the
 * sequence and past the head size. Divisions are by compile-time powers of two. With `vec`, the operand
 * is bound as vec4s (unit column stride, everything a multiple of 4 elements): one load per 4 values.
 */
function loader(vec: boolean, dmax: number): (dst: string, src: string, rows: string, pitch: string, r0: string, base: string, len: string, width: string, l: string, post: string) => string {
  return (dst, src, rows, pitch, r0, base, len, width, l, post) => vec ? `
    for (var e = li; e < ${rows} * D4; e += NT) {
      let rr = e / D4; let d4 = e % D4; let row = ${r0} + rr;
      var x = vec4<f32>(0.0);
      if (row < ${len} && d4 * 4u < ${width}) { x = ${src}[(${base} + row * ${l}.x) / 4u + d4]${post}; }
      ${dst}[rr * ${pitch} + d4] = x;
    }` : `
    for (var e = li; e < ${rows} * ${dmax}u; e += NT) {
      let rr = e / ${dmax}u; let d = e % ${dmax}u; let row = ${r0} + rr;
      var x = 0.0;
      if (row < ${len} && d < ${width}) { x = ${src}[${base} + row * ${l}.x + d * ${l}.y]${post}; }
      ${dst}[rr * ${pitch} + d / 4u][d % 4u] = x;
    }`;
}

/** Can q, k and v be read as vec4s: unit column stride and every offset and stride a multiple of 4 elements? */
export function vec4Layout(p: AttentionProblem): boolean {
  const ok = (l: OperandLayout, width: number) => l.d === 1 && width % 4 === 0 && [l.s, l.offset, ...l.batch].every((x) => x % 4 === 0);
  return ok(p.q, p.D) && ok(p.k, p.D) && ok(p.v, p.Dv);
}

function wgsl(p: AttentionProblem, c: AttentionConfig, b: WgslBinding[], vec: boolean): string {
  const load = loader(vec, c.dmax);
  const mask = MASK_WGSL[p.maskMode].replace('MZERO', p.maskType === 'f32' ? '0.0' : p.maskType === 'u32' ? '0u' : '0i');
  return resolveWgsl({
    bindings: b,
    body: `struct Params {
  Sq: u32, Sk: u32, D: u32, Dv: u32,
  nb: u32, nz: u32, qBlocks: u32, skip: u32,
  scale: f32, fill: f32, cfill: f32, negInf: f32,
  coff: i32, p0: i32, p1: i32, p2: i32,
  lq: vec4<u32>, lk: vec4<u32>, lv: vec4<u32>, lm: vec4<u32>, lo: vec4<u32>,
  bdims: array<vec4<u32>, 2>, bq: array<vec4<u32>, 2>, bk: array<vec4<u32>, 2>, bv: array<vec4<u32>, 2>, bm: array<vec4<u32>, 2>, bo: array<vec4<u32>, 2>,
}
const BQ = ${c.bq}u; const BK = ${c.bk}u; const T = ${c.t}u; const NT = ${c.bq * c.t}u;
const D4 = ${c.dmax / 4}u; const KP = ${c.dmax / 4 + 1}u; const SP = ${c.bk + 1}u;
const KC = ${c.bk / c.t}u; const DC = ${c.dmax / 4 / c.t}u;
var<workgroup> Qs: array<vec4<f32>, ${c.bq * (c.dmax / 4)}>;
var<workgroup> Ks: array<vec4<f32>, ${c.bk * (c.dmax / 4 + 1)}>;
var<workgroup> Vs: array<vec4<f32>, ${c.bk * (c.dmax / 4)}>;
var<workgroup> Ss: array<f32, ${c.bq * (c.bk + 1)}>;
var<workgroup> red: array<f32, ${c.bq * c.t}>;

// Element offset of batch index z in an operand (broadcast dims have stride 0).
fn boff(z: u32, s: array<vec4<u32>, 2>) -> u32 {
  var rem = z; var o = 0u;
  for (var d = i32(P.nb) - 1; d >= 0; d--) { let n = P.bdims[d / 4][d % 4]; o += (rem % n) * s[d / 4][d % 4]; rem = rem / n; }
  return o;
}

@compute @workgroup_size(${c.bq * c.t})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let flat = wid.x + wid.y * nwg.x;
  let z = flat / P.qBlocks;
  if (z >= P.nz) { return; }
  let q0 = (flat % P.qBlocks) * BQ;
  let oq = P.lq.z + boff(z, P.bq); let ok = P.lk.z + boff(z, P.bk); let ov = P.lv.z + boff(z, P.bv);
  let om = P.lm.z + boff(z, P.bm); let oo = P.lo.z + boff(z, P.bo);
  let r = li / T; let t = li % T; let i = q0 + r;
  let nd4 = (P.D + 3u) / 4u;
  // The query block, scaled once here instead of every score.
  ${load('Qs', 'Q', 'BQ', 'D4', 'q0', 'oq', 'P.Sq', 'P.D', 'P.lq', ' * P.scale')}
  // Causal masking with a −inf fill: key blocks past the block's last allowed key contribute nothing.
  var kEnd = P.Sk;
  if (P.skip != 0u) { kEnd = u32(clamp(i32(q0 + BQ) + P.coff, 0, i32(P.Sk))); }
  var mRun = P.negInf; var lRun = 0.0;
  var acc: array<vec4<f32>, DC>;
  for (var k0 = 0u; k0 < kEnd; k0 += BK) {
    ${load('Ks', 'K', 'BK', 'KP', 'k0', 'ok', 'P.Sk', 'P.D', 'P.lk', '')}
    ${load('Vs', 'V', 'BK', 'D4', 'k0', 'ov', 'P.Sk', 'P.Dv', 'P.lv', '')}
    workgroupBarrier();
    // Zeroed explicitly: lavapipe kept the previous iteration's values in a loop-scoped var.
    var sc: array<vec4<f32>, KC>;
    for (var c = 0u; c < KC; c++) { sc[c] = vec4<f32>(0.0); }
    for (var d4 = 0u; d4 < nd4; d4++) {
      let qv = Qs[r * D4 + d4];
      for (var c = 0u; c < KC; c++) { sc[c] = fma(qv, Ks[(t + c * T) * KP + d4], sc[c]); }
    }
    var s: array<f32, KC>;
    var pmax = P.negInf;
    for (var c = 0u; c < KC; c++) {
      let kj = k0 + t + c * T;
      var x = sc[c].x + sc[c].y + sc[c].z + sc[c].w;
      ${p.causal ? 'if (i32(kj) > i32(i) + P.coff) { x = P.cfill; }' : ''}
      ${mask ? `if (i < P.Sq && kj < P.Sk) { ${mask} }` : ''}
      if (kj >= P.Sk) { x = P.negInf; }
      s[c] = x; pmax = max(pmax, x);
    }
    red[li] = pmax;
    workgroupBarrier();
    var mb = P.negInf;
    for (var u = 0u; u < T; u++) { mb = max(mb, red[r * T + u]); }
    let mNew = max(mRun, mb);
    // exp(−inf − (−inf)) would poison the row with NaN before a later block brings a finite score.
    let mSafe = select(mNew, 0.0, mNew == P.negInf);
    let alpha = exp(mRun - mSafe);
    var ls = 0.0;
    for (var c = 0u; c < KC; c++) { let pe = exp(s[c] - mSafe); Ss[r * SP + t + c * T] = pe; ls += pe; }
    lRun = lRun * alpha + ls;
    for (var c = 0u; c < DC; c++) { acc[c] = acc[c] * alpha; }
    mRun = mNew;
    workgroupBarrier();
    let jn = min(BK, P.Sk - k0);
    for (var j = 0u; j < jn; j++) {
      let pe = vec4<f32>(Ss[r * SP + j]);
      for (var c = 0u; c < DC; c++) { acc[c] = fma(pe, Vs[j * D4 + t + c * T], acc[c]); }
    }
    workgroupBarrier();
  }
  red[li] = lRun;
  workgroupBarrier();
  var l = 0.0;
  for (var u = 0u; u < T; u++) { l += red[r * T + u]; }
  if (i >= P.Sq) { return; }
  for (var c = 0u; c < DC; c++) {
    let d0 = (t + c * T) * 4u;
    for (var w = 0u; w < 4u; w++) {
      if (d0 + w < P.Dv) { Y[oo + i * P.lo.x + (d0 + w) * P.lo.y] = acc[c][w] / l; }
    }
  }
}`,
  });
}

/** Where an operand is bound: a node input or a scratch buffer; operands with equal `key`s are one value, bound once. */
export interface OperandBinding { arg: KernelArg; key: string }
export interface AttentionBindings { q: OperandBinding; k: OperandBinding; v: OperandBinding; mask: OperandBinding | null; out: KernelArg }

/**
 * The kernel for one attention problem. Operands that are the same value (q, k and v of one packed
 * buffer) are bound once — WebGPU refuses two overlapping writable bindings in one dispatch — which is
 * why the ops using it declare sharedInputs.
 */
export function attentionKernel(p: AttentionProblem, c: AttentionConfig, bind: AttentionBindings, maxPerDim: number): KernelSpec | string {
  const ops = [p.q, p.k, p.v, p.mask ?? { batch: [], s: 0, d: 0, offset: 0 }, p.out];
  const full = (l: OperandLayout) => [...new Array<number>(p.batch.length - l.batch.length).fill(0), ...l.batch];
  const merged = mergeBatchDims(p.batch, ops.map(full));
  if (merged.batch.length > MAX_ATTENTION_BATCH_DIMS) return `more than ${MAX_ATTENTION_BATCH_DIMS} batch dims that cannot be merged`;
  const qBlocks = Math.ceil(p.Sq / c.bq);
  const groups = prod(merged.batch) * qBlocks;
  const gy = Math.ceil(groups / maxPerDim);
  if (gy > maxPerDim) return `${groups} workgroups exceed the device's dispatch limits`;
  // Binding slots: one per distinct value, in the order q, k, v, mask.
  const b: WgslBinding[] = [{ name: 'P', kind: 'uniform', type: 'Params' }];
  const args: KernelArg[] = [];
  const slot = new Map<string, string>();
  const add = (wgslName: string, o: OperandBinding, type: string): string => {
    const have = slot.get(o.key);
    if (have) return have;
    slot.set(o.key, wgslName);
    b.push({ name: wgslName, kind: 'read', type: `array<${type}>` });
    args.push(o.arg);
    return wgslName;
  };
  const vec = vec4Layout(p);
  const qkvType = vec ? 'vec4<f32>' : 'f32';
  const qn = add('Q', bind.q, qkvType), kn = add('K', bind.k, qkvType), vn = add('V', bind.v, qkvType);
  if (bind.mask && slot.has(bind.mask.key)) return 'the mask is the same value as Q, K or V';
  const mn = bind.mask && p.maskMode !== 'none' ? add('M', bind.mask, p.maskType) : null;
  b.push({ name: 'Y', kind: 'read_write', type: 'array<f32>' });
  args.push(bind.out);
  const skip = p.causal && p.causalFill === -Infinity && (p.maskMode === 'none' || p.maskMode === 'add');
  const aliases = [['K', kn], ['V', vn]].filter(([a, n]) => a !== n).map(([a, n]) => `#${a}=${n}`).join('');
  const key = `attention|${c.bq}x${c.bk}x${c.t}x${c.dmax}${vec ? 'v4' : ''}|${p.maskMode}:${p.maskType}|${p.causal ? 'c' : ''}${aliases}`;
  return {
    name: `attention_${c.bq}x${c.bk}`, key, args,
    uniforms: uniforms(p, merged.batch, merged.strides, qBlocks, skip),
    workgroups: groups === 0 ? [0, 0, 0] : [Math.ceil(groups / gy), gy, 1],
    wgsl: () => {
      let code = wgsl(p, c, b, vec);
      // Operands sharing a binding read it under the first one's name.
      for (const [a, n] of [['K', kn], ['V', vn], ['M', mn]] as const) if (n && n !== a) code = code.replace(new RegExp(`\\b${a}\\[`, 'g'), `${n}[`);
      if (qn !== 'Q') code = code.replace(/\bQ\[/g, `${qn}[`);
      return code;
    },
  };
}
