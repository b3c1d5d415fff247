/**
 * The WGSL body of the fused attention kernel (attention-kernel.ts builds the problem, the signature and
 * the dispatch). Flash-attention style: a workgroup owns BQ query rows of one batch index; K and V stream
 * through workgroup memory BK keys at a time; the softmax is accumulated online (running max m and sum l
 * per row, the accumulator rescaled by exp(m_old − m_new)), so the Sq×Sk scores never reach memory.
 *
 * Thread layout: G = BQ/R row groups of T threads. Thread t of group g owns R query rows (g·R …) and, per
 * key block, the keys t, t+T, … (KC = BK/T of them) for the scores and the output vec4 columns t, t+T, …
 * (DC = D4/T of them) for P·V. R > 1 is register tiling: each K vec4 read from workgroup memory feeds R
 * dot products and each V vec4 R accumulators, which matters once workgroup memory bandwidth rather than
 * latency limits (many rows: large batch or long sequences). Probabilities are kept row-major, four keys
 * per vec4, so P·V reads one vec4 per row for four keys.
 *
 * Why loads are shaped as they are: consecutive threads read consecutive vec4 (or floats) of one K/V
 * row — the head dim is contiguous in every layout exporters produce — so a block load is coalesced
 * whatever the row, head and batch strides are. K rows are padded by one vec4 in workgroup memory so
 * the T threads of a group, which read different keys at the same d, hit different banks.
 *
 * Masks: with a mask that does not depend on the query (a padding mask [B, 1, 1, Sk]) each thread reads
 * one value per key, not per score. Causal: key blocks past the block's last allowed key are never
 * loaded; with a −inf fill that is exact, with a finite fill (HF's finfo.min) it is exact when
 * exp(fill − row max) underflows to 0 in every row, which the workgroup checks at the end, running the
 * remaining blocks when it does not (rows with no visible key average V, as the unfused graph does).
 * Fully masked rows with −inf fills give 0/0 = NaN, as Softmax followed by MatMul does.
 */
import type { AttentionConfig, MaskMode } from './attention-types.js';

/** Compile-time shape of one kernel variant (everything in its key). */
export interface AttentionVariant {
  c: AttentionConfig;
  /** q, k, v read as vec4s (unit column stride, everything a multiple of 4 elements). */
  vecIn: boolean;
  /** The output written as vec4s. */
  vecOut: boolean;
  /** D and Dv equal dmax: the head loop has a constant trip count. */
  exact: boolean;
  maskMode: MaskMode;
  maskType: 'f32' | 'i32' | 'u32';
  /** The mask does not step with the query (stride 0): one read per key. */
  maskRow: boolean;
  causal: boolean;
  /** Causal block skipping: '' none, 'inf' (−inf fill, exact), 'finite' (checked, see the header). */
  skip: '' | 'inf' | 'finite';
  /** Accessor names of the bindings (operands that are one value share one). */
  names: { q: string; k: string; v: string; m: string | null };
}

const BATCH_OPERANDS = ['q', 'k', 'v', 'm', 'o'] as const;

/**
 * Rows [r0, r0 + rows) of an operand into workgroup memory (row pitch `pitch` vec4s), zero past the
 * sequence and past the head size; `post` scales (the query block). Divisions are by constants.
 */
function loader(v: AttentionVariant, x: { dst: string; buf: string; rows: string; pitch: string; r0: string; base: string; len: string; width: string; s: string; d: string; post?: string }): string {
  const post = x.post ?? '';
  if (v.vecIn) return `for (var e = li; e < ${x.rows} * D4; e += NT) {
      let rr = e / D4; let d4 = e % D4; let row = ${x.r0} + rr;
      var val = vec4<f32>(0.0);
      if (row < ${x.len} && d4 * 4u < ${x.width}) { val = ${x.buf}_ld4((${x.base} + row * ${x.s}) / 4u + d4)${post}; }
      ${x.dst}[rr * ${x.pitch} + d4] = val;
    }`;
  return `for (var e = li; e < ${x.rows} * DMAX; e += NT) {
      let rr = e / DMAX; let d = e % DMAX; let row = ${x.r0} + rr;
      var val = 0.0;
      if (row < ${x.len} && d < ${x.width}) { val = ${x.buf}_ld(${x.base} + row * ${x.s} + d * ${x.d})${post}; }
      ${x.dst}[rr * ${x.pitch} + d / 4u][d % 4u] = val;
    }`;
}

function maskApply(v: AttentionVariant, value: string): string {
  const zero = v.maskType === 'f32' ? '0.0' : v.maskType === 'u32' ? '0u' : '0i';
  switch (v.maskMode) {
    case 'none': return '';
    case 'add': return `x = x + f32(${value});`;
    case 'keep': return `if (${value} == ${zero}) { x = P.fill; }`;
    case 'drop': return `if (${value} != ${zero}) { x = P.fill; }`;
  }
}

function output(v: AttentionVariant): string {
  if (v.vecOut) return `if (col4 * 4u < P.Dv) { Y_st4((oo + i * P.o_s) / 4u + col4, val); }`;
  return `for (var w = 0u; w < 4u; w++) { if (col4 * 4u + w < P.Dv) { Y_st(oo + i * P.o_s + (col4 * 4u + w) * P.o_d, val[w]); } }`;
}

/** The kernel body (after the signature's declarations). */
export function attentionBody(v: AttentionVariant): string {
  const { c, names: n } = v;
  const d4 = c.dmax / 4;
  const mask = v.maskMode !== 'none' && n.m !== null;
  const mAt = (i: string) => `om + ${i} * P.m_s + kj * P.m_d`;
  const boff = BATCH_OPERANDS.map((o) => `fn boff_${o}(z: u32) -> u32 {
  var rem = z; var off = 0u;
  for (var d = i32(P.nb) - 1; d >= 0; d--) { let n = P_bdims(u32(d)); off += (rem % n) * P_b_${o}(u32(d)); rem = rem / n; }
  return off;
}`).join('\n');
  const scoreMask = (i: string) => [
    v.causal ? `if (i32(kj) > i32(${i}) + P.coff) { x = P.cfill; }` : '',
    mask && !v.maskRow ? `if (${i} < P.Sq && kj < P.Sk) { ${maskApply(v, `${n.m}_ld(${mAt(i)})`)} }` : '',
    mask && v.maskRow ? `if (kj < P.Sk) { ${maskApply(v, 'mv')} }` : '',
  ].filter(Boolean).join('\n        ');
  const finite = v.skip === 'finite';
  return `${boff}
const BQ = ${c.bq}u; const BK = ${c.bk}u; const T = ${c.t}u; const R = ${c.r}u; const NT = ${(c.bq / c.r) * c.t}u;
const DMAX = ${c.dmax}u; const D4 = ${d4}u; const KP = ${d4 + 1}u; const KC = ${c.bk / c.t}u; const DC = ${d4 / c.t}u;
const SP = ${c.bk / 4 + 1}u; const T4 = ${c.t / 4}u;
var<workgroup> Qs: array<vec4<f32>, ${c.bq * d4}>;
var<workgroup> Ks: array<vec4<f32>, ${c.bk * (d4 + 1)}>;
var<workgroup> Vs: array<vec4<f32>, ${c.bk * d4}>;
var<workgroup> Ps: array<vec4<f32>, ${c.bq * (c.bk / 4 + 1)}>;
var<workgroup> red: array<vec4<f32>, ${(c.bq * c.t) / 4}>;
${finite ? 'var<workgroup> needAny: atomic<u32>;\nvar<workgroup> needAll: u32;' : ''}

@compute @workgroup_size(${(c.bq / c.r) * c.t})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let P = wgml_init();
  let flat = wid.x + wid.y * nwg.x;
  let z = flat / P.qBlocks;
  if (z >= P.nz) { return; }
  ${v.causal ? '// the last query blocks see the most keys: start them first\n  let q0 = (P.qBlocks - 1u - flat % P.qBlocks) * BQ;' : 'let q0 = (flat % P.qBlocks) * BQ;'}
  let oq = P.q_o + boff_q(z); let ok = P.k_o + boff_k(z); let ov = P.v_o + boff_v(z);
  let om = P.m_o + boff_m(z); let oo = P.o_o + boff_o(z);
  let g = li / T; let t = li % T; let r0 = g * R;
  // The query block, scaled once here instead of every score.
  ${loader(v, { dst: 'Qs', buf: n.q, rows: 'BQ', pitch: 'D4', r0: 'q0', base: 'oq', len: 'P.Sq', width: 'P.D', s: 'P.q_s', d: 'P.q_d', post: ' * P.scale' })}
  ${v.exact ? 'let nd4 = D4;' : 'let nd4 = (P.D + 3u) / 4u;'}
  var kEnd = P.Sk;
  ${v.skip ? '// Causal: key blocks past the block\'s last allowed key are all masked.\n  kEnd = u32(clamp(i32(q0 + BQ) + P.coff, 0, i32(P.Sk)));' : ''}
  ${finite ? 'var extended = false;\n  if (li == 0u) { atomicStore(&needAny, 0u); }\n  workgroupBarrier();' : ''}
  var mRun: array<f32, R>; var lRun: array<f32, R>; var acc: array<vec4<f32>, ${c.r * (d4 / c.t)}>;
  // Zeroed explicitly: lavapipe has kept values of loop-scoped vars across iterations.
  for (var rr = 0u; rr < R; rr++) { mRun[rr] = P.negInf; lRun[rr] = 0.0; }
  for (var e = 0u; e < R * DC; e++) { acc[e] = vec4<f32>(0.0); }
  var k0 = 0u;
  loop {
    if (k0 >= kEnd) {${finite ? `
      // Skipped keys all score causal_fill; that is exact when exp(fill − m) is 0 in every row here.
      if (extended || kEnd >= P.Sk) { break; }
      extended = true;
      var need = false;
      for (var rr = 0u; rr < R; rr++) { if (q0 + r0 + rr < P.Sq && !(P.cfill - mRun[rr] < -110.0)) { need = true; } }
      if (need) { atomicStore(&needAny, 1u); }
      workgroupBarrier();
      if (li == 0u) { needAll = atomicLoad(&needAny); }
      if (workgroupUniformLoad(&needAll) == 0u) { break; }
      kEnd = P.Sk;` : `
      break;`}
    }
    ${loader(v, { dst: 'Ks', buf: n.k, rows: 'BK', pitch: 'KP', r0: 'k0', base: 'ok', len: 'P.Sk', width: 'P.D', s: 'P.k_s', d: 'P.k_d' })}
    ${loader(v, { dst: 'Vs', buf: n.v, rows: 'BK', pitch: 'D4', r0: 'k0', base: 'ov', len: 'P.Sk', width: 'P.Dv', s: 'P.v_s', d: 'P.v_d' })}
    workgroupBarrier();
    var s: array<f32, ${c.r * (c.bk / c.t)}>;
    for (var e = 0u; e < R * KC; e++) { s[e] = 0.0; }
    for (var d4 = 0u; d4 < nd4; d4++) {
      var q: array<vec4<f32>, R>;
      for (var rr = 0u; rr < R; rr++) { q[rr] = Qs[(r0 + rr) * D4 + d4]; }
      for (var c = 0u; c < KC; c++) {
        let kv = Ks[(t + c * T) * KP + d4];
        for (var rr = 0u; rr < R; rr++) { s[rr * KC + c] += dot(q[rr], kv); }
      }
    }
    var pmax: array<f32, R>;
    for (var rr = 0u; rr < R; rr++) { pmax[rr] = P.negInf; }
    for (var c = 0u; c < KC; c++) {
      let kj = k0 + t + c * T;
      ${mask && v.maskRow ? `var mv = ${v.maskType}(0);\n      if (kj < P.Sk) { mv = ${n.m}_ld(om + kj * P.m_d); }` : ''}
      for (var rr = 0u; rr < R; rr++) {
        let i = q0 + r0 + rr;
        var x = s[rr * KC + c];
        ${scoreMask('i')}
        if (kj >= P.Sk) { x = P.negInf; }
        s[rr * KC + c] = x; pmax[rr] = max(pmax[rr], x);
      }
    }
    for (var rr = 0u; rr < R; rr++) { red[(r0 + rr) * T4 + t / 4u][t % 4u] = pmax[rr]; }
    workgroupBarrier();
    for (var rr = 0u; rr < R; rr++) {
      var mb = P.negInf;
      for (var u = 0u; u < T4; u++) { let w = red[(r0 + rr) * T4 + u]; mb = max(mb, max(max(w.x, w.y), max(w.z, w.w))); }
      let mNew = max(mRun[rr], mb);
      // exp(−inf − (−inf)) would poison the row with NaN before a later block brings a finite score.
      let mSafe = select(mNew, 0.0, mNew == P.negInf);
      let alpha = exp(mRun[rr] - mSafe);
      var ls = 0.0;
      for (var c = 0u; c < KC; c++) {
        let pe = exp(s[rr * KC + c] - mSafe);
        let j = t + c * T;
        Ps[(r0 + rr) * SP + j / 4u][j % 4u] = pe;
        ls += pe;
      }
      lRun[rr] = lRun[rr] * alpha + ls;
      for (var c = 0u; c < DC; c++) { acc[rr * DC + c] = acc[rr * DC + c] * alpha; }
      mRun[rr] = mNew;
    }
    workgroupBarrier();
    // Keys past Sk have probability 0 and zero V rows; only whole vec4s of keys past it are skipped.
    let nj4 = (min(BK, P.Sk - k0) + 3u) / 4u;
    for (var j4 = 0u; j4 < nj4; j4++) {
      var p: array<vec4<f32>, R>;
      for (var rr = 0u; rr < R; rr++) { p[rr] = Ps[(r0 + rr) * SP + j4]; }
      for (var jj = 0u; jj < 4u; jj++) {
        for (var c = 0u; c < DC; c++) {
          let vv = Vs[(j4 * 4u + jj) * D4 + t + c * T];
          for (var rr = 0u; rr < R; rr++) { acc[rr * DC + c] = fma(vec4<f32>(p[rr][jj]), vv, acc[rr * DC + c]); }
        }
      }
    }
    workgroupBarrier();
    k0 += BK;
  }
  for (var rr = 0u; rr < R; rr++) { red[(r0 + rr) * T4 + t / 4u][t % 4u] = lRun[rr]; }
  workgroupBarrier();
  for (var rr = 0u; rr < R; rr++) {
    let i = q0 + r0 + rr;
    var l = 0.0;
    for (var u = 0u; u < T4; u++) { let w = red[(r0 + rr) * T4 + u]; l += (w.x + w.y) + (w.z + w.w); }
    if (i < P.Sq) {
      for (var c = 0u; c < DC; c++) {
        let col4 = t + c * T;
        let val = acc[rr * DC + c] / l;
        ${output(v)}
      }
    }
  }
}`;
}
