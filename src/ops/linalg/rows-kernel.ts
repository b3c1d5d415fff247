/**
 * Kernels for ops that need a reduction over a "row" before they can write it: Softmax, LogSoftmax,
 * LayerNormalization, InstanceNormalization, GroupNormalization, LpNormalization. A row is the set of elements along the
 * reduced dims; rows and their elements are found through strides, so an input read through a view
 * (ir/view.ts: e.g. LayerNorm over the channels of an NCHW tensor seen as NHWC, ConvNeXt's case) or an
 * output written through one costs no copy.
 *
 * Speed comes from reading each element once, with every load of a thread issued together: a thread
 * keeps its few elements of the row in registers (`per`, unrolled), the workgroup combines partial
 * sums/maxima in two levels of workgroup memory (two barriers per reduction), and the output is written
 * from the registers. Two work shapes of 256 threads or fewer:
 * - contiguous rows (LayerNorm over the hidden size of a transformer): one workgroup per row, lanes
 *   along it, vec4 loads and stores when the row is 4-aligned;
 * - strided rows (LayerNorm over channels of NCHW: the channel stride is H·W): RPW rows per workgroup
 *   with consecutive threads on consecutive rows, so every load is a coalesced run across rows; when
 *   the output is dense along the row (NHWC), the rows are staged in workgroup memory and written out
 *   along it, coalesced too.
 * Rows too long to keep in registers (InstanceNorm over large images) loop over memory instead, one
 * workgroup of 256 lanes per row. Sizes and strides are parameters; the number of row and element dims
 * (after merging) is compiled in, so nothing indexes the parameters dynamically.
 */
import { signature, type BufferDecl } from '../../gpu/signature.js';
import { denseStridesOf, type View } from '../../ir/view.js';
import { declaredKernel, dispatch1d, type KernelArg, type KernelSpec } from '../types.js';
import { F32_MAX_LIT } from '../../gpu/wgsl-literal.js';

/** 'rmsnorm': LayerNorm without the mean (onnxruntime's SimplifiedLayerNormalization, T5/Llama RMSNorm). */
export type RowMode = 'softmax' | 'logsoftmax' | 'layernorm' | 'rmsnorm' | 'instancenorm' | 'groupnorm' | 'lp1' | 'lp2';

export interface RowConfig {
  mode: RowMode;
  /** Dense layout [outer, R, inner] reduced over R, unless `layout` says otherwise. */
  outer: number; R: number; inner: number;
  eps?: number;
  /**
   * Input indices of scale and bias (norms); scale index is r % S (layer), row % S (instance) or, for
   * groupnorm (a row is one group of channels of SP elements each), the channel ((row·R + r) / SP) % S.
   */
  scale?: number; bias?: number | null; S?: number; SP?: number;
  /** LayerNormalization's optional Mean / InvStdDev outputs (output indices 1, 2). */
  stats?: boolean;
  /**
   * The logical shape, the reduced dims [start, end) and how X and Y sit in their buffers (null: dense).
   * Rows are numbered row-major over the kept dims, elements row-major over the reduced dims.
   */
  layout?: { shape: readonly number[]; red: readonly [number, number]; x: View | null; y: View | null };
}

const MAX_RANK = 8;
/** Threads of a workgroup; elements a thread keeps in registers (scalars, or vec4s). */
const THREADS = 256, MAX_PER = 8, MAX_PER4 = 4;
/** Workgroups below which strided rows give lanes to the row rather than rows to the workgroup. */
const MIN_GROUPS = 128;

interface Group { dims: number[]; xs: number[]; ys: number[] }

/** Drop size-1 dims and merge neighbours that both X and Y walk contiguously (row-major order kept). */
function coalesce(g: Group): Group {
  const out: Group = { dims: [], xs: [], ys: [] };
  g.dims.forEach((d, k) => {
    if (d === 1) return;
    const l = out.dims.length - 1;
    if (l >= 0 && out.xs[l] === g.xs[k]! * d && out.ys[l] === g.ys[k]! * d) { out.dims[l]! *= d; out.xs[l] = g.xs[k]!; out.ys[l] = g.ys[k]!; return; }
    out.dims.push(d); out.xs.push(g.xs[k]!); out.ys.push(g.ys[k]!);
  });
  if (!out.dims.length) return { dims: [1], xs: [0], ys: [0] };
  return out;
}

/** Row and element groups of a config: strides of X and Y over the kept and the reduced dims. */
function groups(c: RowConfig): { rows: Group; red: Group; xoff: number; yoff: number } {
  const L = c.layout ?? { shape: [c.outer, c.R, c.inner], red: [1, 2] as const, x: null, y: null };
  const xs = L.x ? L.x.strides : denseStridesOf(L.shape), ys = L.y ? L.y.strides : denseStridesOf(L.shape);
  const rows: Group = { dims: [], xs: [], ys: [] }, red: Group = { dims: [], xs: [], ys: [] };
  L.shape.forEach((d, k) => {
    const g = k >= L.red[0] && k < L.red[1] ? red : rows;
    g.dims.push(d); g.xs.push(xs[k]!); g.ys.push(ys[k]!);
  });
  return { rows: coalesce(rows), red: coalesce(red), xoff: L.x?.offset ?? 0, yoff: L.y?.offset ?? 0 };
}

/**
 * `fn <name>(v: f32, ri: u32, lane: u32) -> f32`: combine v over the L lanes of row slot ri (RPW rows
 * per workgroup, thread = lane·RPW + ri); every lane gets the result. Two levels (√L partials, then
 * all of them) with two barriers, two arrays so consecutive calls need no third barrier (L ≤ 8: one
 * level and a trailing barrier). Call it in uniform control flow.
 */
export function wgReduceWgsl(name: string, L: number, RPW: number, combine: (a: string, b: string) => string): string {
  const a = `${name}_a`, b = `${name}_b`;
  if (L <= 8) {
    return `var<workgroup> ${a}: array<f32, ${L * RPW}>;
fn ${name}(v: f32, ri: u32, lane: u32) -> f32 {
  ${a}[lane * ${RPW}u + ri] = v; workgroupBarrier();
  var t = ${a}[ri];
  for (var i = 1u; i < ${L}u; i++) { t = ${combine('t', `${a}[i * ${RPW}u + ri]`)}; }
  workgroupBarrier(); return t;
}`;
  }
  const S = 1 << Math.ceil(Math.log2(L) / 2), C = L / S;
  return `var<workgroup> ${a}: array<f32, ${L * RPW}>;
var<workgroup> ${b}: array<f32, ${S * RPW}>;
fn ${name}(v: f32, ri: u32, lane: u32) -> f32 {
  ${a}[lane * ${RPW}u + ri] = v; workgroupBarrier();
  if (lane < ${S}u) {
    var t = ${a}[lane * ${C * RPW}u + ri];
    for (var i = 1u; i < ${C}u; i++) { t = ${combine('t', `${a}[(lane * ${C}u + i) * ${RPW}u + ri]`)}; }
    ${b}[lane * ${RPW}u + ri] = t;
  }
  workgroupBarrier();
  var t = ${b}[ri];
  for (var i = 1u; i < ${S}u; i++) { t = ${combine('t', `${b}[i * ${RPW}u + ri]`)}; }
  return t;
}`;
}

/** How the threads of a workgroup cover rows. */
export interface RowShape {
  /** Rows per workgroup (consecutive threads on consecutive rows) and lanes per row. */
  RPW: number; L: number;
  /** Elements (vec4s when `vec`) a lane keeps in registers; 0: rows too long, loop over memory. */
  per: number;
  vec: boolean;
  /** Stage rows in workgroup memory and write them out along the (contiguous) output row. */
  stage: boolean;
}

/** The work shape for `rows` rows of R elements (pure: tests and the bench print it). */
export function rowShape(rows: number, R: number, o: { contiguous: boolean; rowsAdjacent: boolean; vec: boolean; yContiguous: boolean }): RowShape {
  if (o.contiguous || !o.rowsAdjacent || rows === 1) {
    const vec = o.contiguous && o.vec;
    const chunks = vec ? R / 4 : R;
    let L = 32;
    while (L < THREADS && L * 3 < chunks) L *= 2;
    const per = Math.ceil(chunks / L);
    return per > (vec ? MAX_PER4 : MAX_PER) ? { RPW: 1, L: THREADS, per: 0, vec, stage: false } : { RPW: 1, L, per, vec, stage: false };
  }
  // strided rows: few lanes per row (about 6 elements each), more while that leaves too few workgroups
  let L = 4;
  while (L < THREADS && Math.ceil(R / L) > 6) L *= 2;
  while (L < THREADS && Math.ceil(rows / (THREADS / L)) < MIN_GROUPS) L *= 2;
  const per = Math.ceil(R / L);
  if (per > MAX_PER) return { RPW: 1, L: THREADS, per: 0, vec: false, stage: false };
  const RPW = THREADS / L;
  return { RPW, L, per, vec: false, stage: RPW > 1 && o.yContiguous };
}

const sig = (nrow: number, nred: number, bufs: BufferDecl[], gn: boolean) => signature({
  params: {
    rows: 'u32', R: 'u32', S: 'u32', eps: 'f32', xoff: 'u32', yoff: 'u32',
    oshape: ['u32', nrow], oxs: ['u32', nrow], oys: ['u32', nrow], nshape: ['u32', nred], nxs: ['u32', nred], nys: ['u32', nred],
    ...(gn ? { sp: 'u32' as const } : {}),
  },
  buffers: bufs,
});

const at = (arr: string, i: number) => `P.${arr}[${i >> 2}][${i & 3}]`;

/** `fn <name>(P: Params, r: u32) -> u32`: offset of element r of a row (one multiply when the reduced dims merged into one). */
function offsetFn(name: string, st: string, nred: number): string {
  if (nred === 1) return `fn ${name}(P: Params, r: u32) -> u32 { return r * ${at(st, 0)}; }`;
  const steps = Array.from({ length: nred }, (_, k) => nred - 1 - k)
    .map((d) => `{ let n = ${at('nshape', d)}; o += (rem % n) * ${at(st, d)}; rem = rem / n; }`).join('\n  ');
  return `fn ${name}(P: Params, r: u32) -> u32 {\n  var rem = r; var o = 0u;\n  ${steps}\n  return o;\n}`;
}

export function rowsKernel(c: RowConfig, name: string): KernelSpec | string {
  const g = groups(c);
  if (g.rows.dims.length > MAX_RANK || g.red.dims.length > MAX_RANK) return `${name}: the rows and reduced dims do not merge into ${MAX_RANK} strided dims each`;
  const rows = g.rows.dims.reduce((a, b) => a * b, 1);
  const R = g.red.dims.reduce((a, b) => a * b, 1);
  const nrow = g.rows.dims.length, nred = g.red.dims.length;
  const flat = nred === 1;
  const last = (a: number[]) => a[a.length - 1]!;
  const al4 = (off: number, st: number[]) => off % 4 === 0 && st.every((s) => s % 4 === 0);
  const contiguous = flat && g.red.xs[0] === 1;
  const yContig = flat && g.red.ys[0] === 1;
  const sh = rowShape(rows, R, {
    contiguous, rowsAdjacent: last(g.rows.xs) === 1,
    vec: contiguous && R % 4 === 0 && al4(g.xoff, g.rows.xs), yContiguous: yContig,
  });
  const yVec = sh.vec && yContig && al4(g.yoff, g.rows.ys);
  const gn = c.mode === 'groupnorm';
  const ln = c.mode === 'layernorm' || c.mode === 'rmsnorm';
  const norm = ln || c.mode === 'instancenorm' || gn;
  const hasBias = norm && c.bias != null;
  const stats = c.mode === 'layernorm' && !!c.stats;
  const S = c.S ?? 1;
  const scaleVec = sh.vec && ln && S % 4 === 0;
  const bufs: BufferDecl[] = [{ name: 'X', elem: 'f32', vec4: sh.vec }];
  const args: KernelArg[] = [{ input: 0 }];
  if (norm) { bufs.push({ name: 'Sc', elem: 'f32', vec4: scaleVec }); args.push({ input: c.scale! }); }
  if (hasBias) { bufs.push({ name: 'Bi', elem: 'f32', vec4: scaleVec }); args.push({ input: c.bias! }); }
  bufs.push({ name: 'Y', elem: 'f32', writes: true, vec4: yVec }); args.push({ output: 0 });
  if (stats) { bufs.push({ name: 'Mean', elem: 'f32', writes: true }, { name: 'InvStd', elem: 'f32', writes: true }); args.push({ output: 1 }, { output: 2 }); }
  const params = {
    rows, R, S, eps: c.eps ?? 0, xoff: g.xoff, yoff: g.yoff,
    oshape: g.rows.dims, oxs: g.rows.xs, oys: g.rows.ys, nshape: g.red.dims, nxs: g.red.xs, nys: g.red.ys,
    ...(gn ? { sp: c.SP ?? 1 } : {}),
  };
  const key = `linalg_rows_${c.mode}|${hasBias}|${stats}|${sh.RPW}x${sh.L}x${sh.per}|${sh.vec ? 'v' : 's'}${yVec ? 'v' : 's'}${scaleVec ? 'v' : 's'}|${sh.stage ? 'st' : ''}|o${nrow}n${nred}`;
  return declaredKernel({
    name: `${name}_rows`, key, sig: sig(nrow, nred, bufs, gn), params, args,
    workgroups: dispatch1d(Math.ceil(rows / sh.RPW), 1),
    source: () => ({ body: sh.per ? cachedBody(c.mode, sh, { nrow, nred, hasBias, stats, yVec, scaleVec }) : loopBody(c.mode, { nrow, nred, hasBias, stats }) }),
  });
}

interface Flags { nrow: number; nred: number; hasBias: boolean; stats: boolean }

/** Shared start of main: the row this thread works on and where it starts in X and Y. */
function rowStart(RPW: number, nrow: number): string {
  const walk = Array.from({ length: nrow }, (_, k) => nrow - 1 - k)
    .map((d) => `{ let n = ${at('oshape', d)}; let c = rem % n; rem = rem / n; xb += c * ${at('oxs', d)}; yb += c * ${at('oys', d)}; }`).join('\n  ');
  return `let P = wgml_init();
  let ri = li % ${RPW}u; let lane = li / ${RPW}u;
  let row0 = (wid.x + wid.y * nwg.x) * ${RPW}u;
  let row = row0 + ri;
  // Rows past the end do no work but still reach every barrier.
  let live = row < P.rows;
  var xb = P.xoff; var yb = P.yoff; var rem = row;
  ${walk}`;
}

// Element r of a group row is element row·R + r of the [N·G, C/G·SP] matrix, so its channel in N, C, SP order.
const GN_CHANNEL = `
fn gn_ch(P: Params, row: u32, r: u32) -> u32 { return ((row * P.R + r) / P.sp) % P.S; }`;

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

function cachedBody(mode: RowMode, sh: RowShape, f: Flags & { yVec: boolean; scaleVec: boolean }): string {
  const { RPW, L, per, vec } = sh;
  const W = vec ? 4 : 1;
  const T = vec ? 'vec4<f32>' : 'f32';
  const hsum = (x: string) => (vec ? `dot(${x}, vec4<f32>(1.0))` : x);
  const hmax = (x: string) => (vec ? `max(max(${x}.x, ${x}.y), max(${x}.z, ${x}.w))` : x);
  // element r of this thread's slot t (vec: r is the first of 4)
  const each = (body: string) => range(per).map((t) => `{ let r = (lane + ${t * L}u) * ${W}u; if (live && r < P.R) { ${body.replace(/\$t/g, String(t))} } }`).join('\n  ');
  const load = vec ? 'X_ld4((xb + r) / 4u)' : 'X_ld(xb + xo(P, r))';
  const sc = (b: string) => (f.scaleVec ? `${b}_ld4((r % P.S) / 4u)` : vec ? `vec4<f32>(${range(4).map((k) => `${b}_ld((r + ${k}u) % P.S)`).join(', ')})` : `${b}_ld(r % P.S)`);
  let store: (v: string) => string;
  if (sh.stage) store = (v) => `stage[ri * P.R + r] = ${v};`;
  else if (f.yVec) store = (v) => `Y_st4((yb + r) / 4u, ${v});`;
  else if (vec) store = (v) => `let o = ${v}; ${range(4).map((k) => `Y_st(yb + yo(P, r + ${k}u), o[${k}]);`).join(' ')}`;
  else store = (v) => `Y_st(yb + yo(P, r), ${v});`;
  const red = (fn: string, v: string) => `${fn}(${v}, ri, lane)`;
  let body: string;
  switch (mode) {
    case 'layernorm': case 'rmsnorm': case 'instancenorm': case 'groupnorm': {
      const inst = mode === 'instancenorm';
      const gsc = (b: string) => (vec ? `vec4<f32>(${range(4).map((k) => `${b}_ld(gn_ch(P, row, r + ${k}u))`).join(', ')})` : `${b}_ld(gn_ch(P, row, r))`);
      const scale = inst ? 'Sc_ld(row % P.S)' : mode === 'groupnorm' ? gsc('Sc') : sc('Sc');
      const bias = f.hasBias ? (inst ? ' + Bi_ld(row % P.S)' : ` + ${mode === 'groupnorm' ? gsc('Bi') : sc('Bi')}`) : '';
      body = `${mode === 'rmsnorm' ? 'let mean = 0.0;' : `var acc = 0.0;
  ${each(`acc += ${hsum('c[$t]')};`)}
  let mean = ${red('wg_sum', 'acc')} / f32(P.R);`}
  var sq = 0.0;
  ${each(`let d = c[$t] - mean; sq += ${hsum('d * d')};`)}
  let inv = inverseSqrt(${red('wg_sum', 'sq')} / f32(P.R) + P.eps);
  ${f.stats ? 'if (lane == 0u && live) { Mean_st(row, mean); InvStd_st(row, inv); }' : ''}
  ${each(store(`(c[$t] - mean) * inv * ${scale}${bias}`))}`;
      break;
    }
    case 'softmax': case 'logsoftmax':
      body = `var mx = -${F32_MAX_LIT};
  ${each(`mx = max(mx, ${hmax('c[$t]')});`)}
  let m = ${red('wg_max', 'mx')};
  var s = 0.0;
  ${each(`s += ${hsum('exp(c[$t] - m)')};`)}
  let tot = ${red('wg_sum', 's')};
  ${mode === 'softmax' ? each(store('exp(c[$t] - m) / tot')) : `let l = m + log(tot);\n  ${each(store('c[$t] - l'))}`}`;
      break;
    case 'lp1': case 'lp2':
      body = `var s = 0.0;
  ${each(`s += ${hsum(mode === 'lp1' ? 'abs(c[$t])' : 'c[$t] * c[$t]')};`)}
  let n = ${mode === 'lp1' ? red('wg_sum', 's') : `sqrt(${red('wg_sum', 's')})`};
  ${each(store('c[$t] / n'))}`;
      break;
  }
  const stage = sh.stage ? `
  // The rows sit in workgroup memory; write them out along the output row (consecutive threads, consecutive words).
  if (lane == 0u) { ybase[ri] = yb; }
  workgroupBarrier();
  for (var i = li; i < ${RPW}u * P.R; i += ${RPW * L}u) {
    let rr = i / P.R;
    if (row0 + rr < P.rows) { Y_st(ybase[rr] + i % P.R, stage[i]); }
  }` : '';
  return `${offsetFn('xo', 'nxs', f.nred)}
${offsetFn('yo', 'nys', f.nred)}${mode === 'groupnorm' ? GN_CHANNEL : ''}
${wgReduceWgsl('wg_sum', L, RPW, (a, b) => `${a} + ${b}`)}
${mode.endsWith('softmax') ? wgReduceWgsl('wg_max', L, RPW, (a, b) => `max(${a}, ${b})`) : ''}
${sh.stage ? `var<workgroup> stage: array<f32, ${RPW * L * per}>;\nvar<workgroup> ybase: array<u32, ${RPW}>;` : ''}
@compute @workgroup_size(${RPW * L})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  ${rowStart(RPW, f.nrow)}
  // Every load of the row first, all in flight together.
  var c: array<${T}, ${per}>;
  ${each(`c[$t] = ${load};`)}
  ${body}${stage}
}`;
}

/** Rows longer than the registers hold: each pass loops over the row in memory (L2 keeps it after the first). */
function loopBody(mode: RowMode, f: Flags): string {
  const x = 'X_ld(xb + xo(P, r))';
  const loop = (b: string) => `for (var r = lane; r < R; r += ${THREADS}u) { ${b} }`;
  const store = (v: string) => `Y_st(yb + yo(P, r), ${v});`;
  const sumexp = `var mx = -${F32_MAX_LIT};
  ${loop(`mx = max(mx, ${x});`)}
  let m = wg_max(mx, 0u, lane);
  var s = 0.0;
  ${loop(`s += exp(${x} - m);`)}
  let tot = wg_sum(s, 0u, lane);`;
  const meanInv = `${mode === 'rmsnorm' ? 'let mean = 0.0;' : `var acc = 0.0;
  ${loop(`acc += ${x};`)}
  let mean = wg_sum(acc, 0u, lane) / f32(P.R);`}
  var sq = 0.0;
  ${loop(`let d = ${x} - mean; sq += d * d;`)}
  let inv = inverseSqrt(wg_sum(sq, 0u, lane) / f32(P.R) + P.eps);`;
  const bodies: Record<RowMode, string> = {
    softmax: `${sumexp}\n  ${loop(store(`exp(${x} - m) / tot`))}`,
    logsoftmax: `${sumexp}\n  let l = m + log(tot);\n  ${loop(store(`${x} - l`))}`,
    layernorm: `${meanInv}
  ${f.stats ? 'if (lane == 0u && live) { Mean_st(row, mean); InvStd_st(row, inv); }' : ''}
  ${loop(store(`(${x} - mean) * inv * Sc_ld(r % P.S)${f.hasBias ? ' + Bi_ld(r % P.S)' : ''}`))}`,
    rmsnorm: `${meanInv}\n  ${loop(store(`${x} * inv * Sc_ld(r % P.S)`))}`,
    instancenorm: `${meanInv}\n  ${loop(store(`(${x} - mean) * inv * Sc_ld(row % P.S)${f.hasBias ? ' + Bi_ld(row % P.S)' : ''}`))}`,
    groupnorm: `${meanInv}\n  ${loop(store(`(${x} - mean) * inv * Sc_ld(gn_ch(P, row, r))${f.hasBias ? ' + Bi_ld(gn_ch(P, row, r))' : ''}`))}`,
    lp1: `var s = 0.0;\n  ${loop(`s += abs(${x});`)}\n  let n = wg_sum(s, 0u, lane);\n  ${loop(store(`${x} / n`))}`,
    lp2: `var s = 0.0;\n  ${loop(`let v = ${x}; s += v * v;`)}\n  let n = sqrt(wg_sum(s, 0u, lane));\n  ${loop(store(`${x} / n`))}`,
  };
  return `${offsetFn('xo', 'nxs', f.nred)}
${offsetFn('yo', 'nys', f.nred)}${mode === 'groupnorm' ? GN_CHANNEL : ''}
${wgReduceWgsl('wg_sum', THREADS, 1, (a, b) => `${a} + ${b}`)}
${mode.endsWith('softmax') ? wgReduceWgsl('wg_max', THREADS, 1, (a, b) => `max(${a}, ${b})`) : ''}
@compute @workgroup_size(${THREADS})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  ${rowStart(1, f.nrow)}
  let R = select(0u, P.R, live);
  ${bodies[mode]}
}`;
}
