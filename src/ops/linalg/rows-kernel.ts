/**
 * Kernels for ops that need a reduction over a "row" before they can write it: Softmax, LogSoftmax,
 * LayerNormalization, InstanceNormalization, LpNormalization. A row is the set of elements along the
 * reduced dims; rows and their elements are found through strides, so an input read through a view
 * (ir/view.ts: e.g. LayerNorm over the channels of an NCHW tensor seen as NHWC, ConvNeXt's case) or an
 * output written through one costs no copy. Lanes of a workgroup stride over a row and combine
 * partial max/sum with a tree in workgroup memory. Two shapes of work: 64 lanes on one row when a
 * row's elements are adjacent in memory, or 16 rows × 4 lanes when neighbouring rows are (strided
 * rows: consecutive threads then read consecutive words). Shapes are uniforms: one pipeline per
 * mode/flags/work shape.
 */
import { resolveWgsl, type WgslBinding } from '../../gpu/wgsl.js';
import { denseStridesOf, type View } from '../../ir/view.js';
import { dispatch1d, UniformWriter, type KernelArg, type KernelSpec } from '../types.js';

export type RowMode = 'softmax' | 'logsoftmax' | 'layernorm' | 'instancenorm' | 'lp1' | 'lp2';

export interface RowConfig {
  mode: RowMode;
  /** Dense layout [outer, R, inner] reduced over R, unless `layout` says otherwise. */
  outer: number; R: number; inner: number;
  eps?: number;
  /** Input indices of scale and bias (norms); scale index is r % S (layer) or row % S (instance). */
  scale?: number; bias?: number | null; S?: number;
  /** LayerNormalization's optional Mean / InvStdDev outputs (output indices 1, 2). */
  stats?: boolean;
  /**
   * The logical shape, the reduced dims [start, end) and how X and Y sit in their buffers (null: dense).
   * Rows are numbered row-major over the kept dims, elements row-major over the reduced dims.
   */
  layout?: { shape: readonly number[]; red: readonly [number, number]; x: View | null; y: View | null };
}

const MAX_RANK = 8;

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

// Max, then Σ exp(x − m): the numerically stable start of both softmaxes.
const MAX_SUMEXP = `
  var m = -3.4028234663852886e38;
  for (var r = lane; r < R; r += L) { m = max(m, X[xb + xo(r)]); }
  m = wg_max(m, ri, lane);
  var s = 0.0;
  for (var r = lane; r < R; r += L) { s += exp(X[xb + xo(r)] - m); }`;

// Two passes (mean, then squared deviations) rather than E[x²]−E[x]² to avoid cancellation.
const MEAN_INV = `
  var s = 0.0;
  for (var r = lane; r < R; r += L) { s += X[xb + xo(r)]; }
  let mean = wg_sum(s, ri, lane) / f32(P.R);
  var q = 0.0;
  for (var r = lane; r < R; r += L) { let d = X[xb + xo(r)] - mean; q += d * d; }
  let inv = inverseSqrt(wg_sum(q, ri, lane) / f32(P.R) + P.eps);`;

/** Divide the row by n, a norm computed from per-element `term` of v = X[…]. */
const lpBody = (term: string, norm: string): string => `
  var s = 0.0;
  for (var r = lane; r < R; r += L) { let v = X[xb + xo(r)]; s += ${term}; }
  let n = ${norm};
  for (var r = lane; r < R; r += L) { Y[yb + yo(r)] = X[xb + xo(r)] / n; }`;

const BODY: Record<RowMode, string> = {
  softmax: `${MAX_SUMEXP}
  s = wg_sum(s, ri, lane);
  for (var r = lane; r < R; r += L) { Y[yb + yo(r)] = exp(X[xb + xo(r)] - m) / s; }`,
  logsoftmax: `${MAX_SUMEXP}
  let l = m + log(wg_sum(s, ri, lane));
  for (var r = lane; r < R; r += L) { Y[yb + yo(r)] = X[xb + xo(r)] - l; }`,
  layernorm: `${MEAN_INV}
  STATS
  for (var r = lane; r < R; r += L) { let k = r % P.S; Y[yb + yo(r)] = (X[xb + xo(r)] - mean) * inv * Sc[k] + BIAS; }`,
  instancenorm: `${MEAN_INV}
  let k = row % P.S;
  for (var r = lane; r < R; r += L) { Y[yb + yo(r)] = (X[xb + xo(r)] - mean) * inv * Sc[k] + BIAS; }`,
  lp1: lpBody('abs(v)', 'wg_sum(s, ri, lane)'),
  lp2: lpBody('v * v', 'sqrt(wg_sum(s, ri, lane))'),
};

/** Tree reduction over the L lanes of each row of a workgroup (lane-major: red[lane·RPW + ri]); every lane gets its row's result. */
const wgReduce = (name: string, combine: (a: string, b: string) => string): string => `fn ${name}(v: f32, ri: u32, lane: u32) -> f32 {
  red[lane * RPW + ri] = v; workgroupBarrier();
  for (var w = L / 2u; w > 0u; w >>= 1u) { if (lane < w) { red[lane * RPW + ri] = ${combine('red[lane * RPW + ri]', 'red[(lane + w) * RPW + ri]')}; } workgroupBarrier(); }
  let t = red[ri]; workgroupBarrier(); return t;
}`;

/** Offset of element r of a row: one multiply when the reduced dims merge into one, else a walk over them. */
const offsetFn = (name: string, st: string, flat: boolean): string => flat
  ? `fn ${name}(r: u32) -> u32 { return r * P.${st}[0][0]; }`
  : `fn ${name}(r: u32) -> u32 {
  var rem = r; var o = 0u;
  for (var d = i32(P.nrank) - 1; d >= 0; d--) { let n = P.nshape[d / 4][d % 4]; o += (rem % n) * P.${st}[d / 4][d % 4]; rem = rem / n; }
  return o;
}`;

export function rowsKernel(c: RowConfig, name: string): KernelSpec | string {
  const g = groups(c);
  if (g.rows.dims.length > MAX_RANK || g.red.dims.length > MAX_RANK) return `${name}: the rows and reduced dims do not merge into ${MAX_RANK} strided dims each`;
  const rows = g.rows.dims.reduce((a, b) => a * b, 1);
  const R = g.red.dims.reduce((a, b) => a * b, 1);
  const flat = g.red.dims.length === 1;
  // Rows whose elements are far apart but whose neighbours are adjacent: 16 rows × 4 lanes per workgroup.
  const strided = g.red.xs[g.red.xs.length - 1] !== 1 && g.rows.xs[g.rows.xs.length - 1] === 1 && rows > 1;
  const RPW = strided ? 16 : 1, L = 64 / RPW;
  const norm = c.mode === 'layernorm' || c.mode === 'instancenorm';
  const hasBias = norm && c.bias != null;
  const stats = c.mode === 'layernorm' && !!c.stats;
  const b: WgslBinding[] = [{ name: 'P', kind: 'uniform', type: 'Params' }, { name: 'X', kind: 'read', type: 'array<f32>' }];
  const args: KernelArg[] = [{ input: 0 }];
  if (norm) { b.push({ name: 'Sc', kind: 'read', type: 'array<f32>' }); args.push({ input: c.scale! }); }
  if (hasBias) { b.push({ name: 'Bi', kind: 'read', type: 'array<f32>' }); args.push({ input: c.bias! }); }
  b.push({ name: 'Y', kind: 'read_write', type: 'array<f32>' }); args.push({ output: 0 });
  if (stats) {
    b.push({ name: 'Mean', kind: 'read_write', type: 'array<f32>' }, { name: 'InvStd', kind: 'read_write', type: 'array<f32>' });
    args.push({ output: 1 }, { output: 2 });
  }
  const body = BODY[c.mode]
    .replace('BIAS', hasBias ? 'Bi[k]' : '0.0')
    .replace('STATS', stats ? 'if (lane == 0u && live) { Mean[row] = mean; InvStd[row] = inv; }' : '');
  const u = new UniformWriter().u32(rows, R, c.S ?? 1).f32(c.eps ?? 0).u32(g.rows.dims.length, g.red.dims.length, g.xoff, g.yoff)
    .u32Array(g.rows.dims, 2).u32Array(g.rows.xs, 2).u32Array(g.rows.ys, 2).u32Array(g.red.dims, 2).u32Array(g.red.xs, 2).u32Array(g.red.ys, 2);
  return {
    name: `${name}_rows`, key: `linalg_rows_${c.mode}|${hasBias}|${stats}|${RPW}|${flat ? 'r1' : 'rn'}`, args,
    uniforms: u.finish(),
    workgroups: dispatch1d(Math.ceil(rows / RPW), 1),
    wgsl: () => resolveWgsl({
      bindings: b,
      body: `struct Params { rows: u32, R: u32, S: u32, eps: f32, orank: u32, nrank: u32, xoff: u32, yoff: u32,
  oshape: array<vec4<u32>, 2>, oxs: array<vec4<u32>, 2>, oys: array<vec4<u32>, 2>,
  nshape: array<vec4<u32>, 2>, nxs: array<vec4<u32>, 2>, nys: array<vec4<u32>, 2> }
const RPW = ${RPW}u; const L = ${L}u;
var<workgroup> red: array<f32, 64>;
${offsetFn('xo', 'nxs', flat)}
${offsetFn('yo', 'nys', flat)}
${wgReduce('wg_sum', (x, y) => `${x} + ${y}`)}
${wgReduce('wg_max', (x, y) => `max(${x}, ${y})`)}
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let ri = li % RPW; let lane = li / RPW;
  let row = (wid.x + wid.y * nwg.x) * RPW + ri;
  // Rows past the end do no work but still reach every barrier.
  let live = row < P.rows;
  let R = select(0u, P.R, live);
  var xb = P.xoff; var yb = P.yoff; var rem = row;
  for (var d = i32(P.orank) - 1; d >= 0; d--) {
    let n = P.oshape[d / 4][d % 4]; let c = rem % n; rem = rem / n;
    xb += c * P.oxs[d / 4][d % 4]; yb += c * P.oys[d / 4][d % 4];
  }
${body}
}`,
    }),
  };
}
