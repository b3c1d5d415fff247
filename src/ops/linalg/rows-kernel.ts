/**
 * One workgroup per "row" (a slice along one axis, elements `inner` apart) for ops that need a
 * reduction over the row before they can write it: Softmax, LogSoftmax, LayerNormalization,
 * InstanceNormalization, LpNormalization. 64 threads stride over the row and combine partial
 * max/sum with a tree in workgroup memory. Shapes are uniforms: one pipeline per mode/flags.
 */
import { resolveWgsl, type WgslBinding } from '../../gpu/wgsl.js';
import { dispatch1d, UniformWriter, type KernelArg, type KernelSpec } from '../types.js';

export type RowMode = 'softmax' | 'logsoftmax' | 'layernorm' | 'instancenorm' | 'lp1' | 'lp2';

export interface RowConfig {
  mode: RowMode;
  outer: number; R: number; inner: number;
  eps?: number;
  /** Input indices of scale and bias (norms); scale index is r % S (layer) or row % S (instance). */
  scale?: number; bias?: number | null; S?: number;
  /** LayerNormalization's optional Mean / InvStdDev outputs (output indices 1, 2). */
  stats?: boolean;
}

// Max, then Σ exp(x − m): the numerically stable start of both softmaxes.
const MAX_SUMEXP = `
  var m = -3.4028234663852886e38;
  for (var r = li; r < P.R; r += 64u) { m = max(m, X[at(base, r)]); }
  m = wg_max(m, li);
  var s = 0.0;
  for (var r = li; r < P.R; r += 64u) { s += exp(X[at(base, r)] - m); }`;

// Two passes (mean, then squared deviations) rather than E[x²]−E[x]² to avoid cancellation.
const MEAN_INV = `
  var s = 0.0;
  for (var r = li; r < P.R; r += 64u) { s += X[at(base, r)]; }
  let mean = wg_sum(s, li) / f32(P.R);
  var q = 0.0;
  for (var r = li; r < P.R; r += 64u) { let d = X[at(base, r)] - mean; q += d * d; }
  let inv = inverseSqrt(wg_sum(q, li) / f32(P.R) + P.eps);`;

/** Divide the row by n, a norm computed from per-element `term` of v = X[…]. */
const lpBody = (term: string, norm: string): string => `
  var s = 0.0;
  for (var r = li; r < P.R; r += 64u) { let v = X[at(base, r)]; s += ${term}; }
  let n = ${norm};
  for (var r = li; r < P.R; r += 64u) { Y[at(base, r)] = X[at(base, r)] / n; }`;

const BODY: Record<RowMode, string> = {
  softmax: `${MAX_SUMEXP}
  s = wg_sum(s, li);
  for (var r = li; r < P.R; r += 64u) { Y[at(base, r)] = exp(X[at(base, r)] - m) / s; }`,
  logsoftmax: `${MAX_SUMEXP}
  let l = m + log(wg_sum(s, li));
  for (var r = li; r < P.R; r += 64u) { Y[at(base, r)] = X[at(base, r)] - l; }`,
  layernorm: `${MEAN_INV}
  STATS
  for (var r = li; r < P.R; r += 64u) { let k = r % P.S; Y[at(base, r)] = (X[at(base, r)] - mean) * inv * Sc[k] + BIAS; }`,
  instancenorm: `${MEAN_INV}
  let k = row % P.S;
  for (var r = li; r < P.R; r += 64u) { Y[at(base, r)] = (X[at(base, r)] - mean) * inv * Sc[k] + BIAS; }`,
  lp1: lpBody('abs(v)', 'wg_sum(s, li)'),
  lp2: lpBody('v * v', 'sqrt(wg_sum(s, li))'),
};

/** Tree reduction over the 64 lanes of a workgroup; every lane gets the result. */
const wgReduce = (name: string, combine: string): string => `fn ${name}(v: f32, li: u32) -> f32 {
  red[li] = v; workgroupBarrier();
  for (var w = 32u; w > 0u; w >>= 1u) { if (li < w) { red[li] = ${combine}; } workgroupBarrier(); }
  let t = red[0]; workgroupBarrier(); return t;
}`;

export function rowsKernel(c: RowConfig, name: string): KernelSpec {
  const rows = c.outer * c.inner;
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
    .replace('STATS', stats ? 'if (li == 0u) { Mean[row] = mean; InvStd[row] = inv; }' : '');
  return {
    name: `${name}_rows`, key: `linalg_rows_${c.mode}|${hasBias}|${stats}`, args,
    uniforms: new UniformWriter().u32(rows, c.R, c.inner, c.S ?? 1).f32(c.eps ?? 0).finish(),
    workgroups: dispatch1d(rows, 1),
    wgsl: () => resolveWgsl({
      bindings: b,
      body: `struct Params { rows: u32, R: u32, inner: u32, S: u32, eps: f32 }
var<workgroup> red: array<f32, 64>;
fn at(base: u32, r: u32) -> u32 { return base + r * P.inner; }
${wgReduce('wg_sum', 'red[li] + red[li + w]')}
${wgReduce('wg_max', 'max(red[li], red[li + w])')}
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= P.rows) { return; }
  let base = (row / P.inner) * P.R * P.inner + row % P.inner;
${body}
}`,
    }),
  };
}
