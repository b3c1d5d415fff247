/**
 * The reduction kernel behind the Reduce* ops. Any set of axes: the input is described as kept dims
 * and reduced dims (size 1 dropped, contiguous neighbours merged), each with its input stride, in
 * parameters. Two layouts of the same code:
 * - 'wg': one 64-thread workgroup per output, partial results combined by a tree in workgroup
 *   memory (long reductions, e.g. global pooling);
 * - 'thread': one thread per output, sequential loop (short reductions over many outputs).
 */
import { signature, type Word } from '../../gpu/signature.js';
import { storageType, type ElemType } from '../../ir/types.js';
import { declaredKernel, dispatch1d, type KernelSpec } from '../types.js';
import { linearIndex } from '../wgsl-common.js';
import { denseStrides } from '../../tensor/tensor.js';
import { floatLit } from '../../gpu/wgsl-literal.js';

export type ReduceKind = 'sum' | 'mean' | 'max' | 'min' | 'prod' | 'sumsquare' | 'l1' | 'l2' | 'logsumexp';
export const MAX_REDUCE_DIMS = 8;

/** Kept and reduced dims of `shape` as [size, stride] lists, merged where contiguous. */
export function reduceLayout(shape: readonly number[], reduced: ReadonlySet<number>): { kept: [number, number][]; red: [number, number][] } {
  const st = denseStrides(shape);
  const kept: [number, number][] = [], red: [number, number][] = [];
  shape.forEach((d, i) => {
    if (d === 1) return;
    const list = reduced.has(i) ? red : kept;
    const last = list[list.length - 1];
    // Merge with the previous dim of the same kind when that one steps exactly over this one.
    if (last && last[1] === d * st[i]!) { last[0] *= d; last[1] = st[i]!; } else list.push([d, st[i]!]);
  });
  return { kept, red };
}

function lits(t: 'f32' | 'i32' | 'u32'): { lo: string; hi: string } {
  if (t === 'f32') return { lo: floatLit(-Infinity), hi: floatLit(Infinity) };
  if (t === 'i32') return { lo: '(-2147483647 - 1)', hi: '2147483647' };
  return { lo: '0u', hi: '4294967295u' };
}

/** [init, map(x), combine(a, b), finish(acc)] in WGSL for element type T. */
function parts(kind: ReduceKind, t: 'f32' | 'i32' | 'u32'): [string, string, string, string] {
  const { lo, hi } = lits(t);
  const zero = `${t}(0)`, one = `${t}(1)`;
  switch (kind) {
    case 'sum': return [zero, 'x', 'a + b', 'acc'];
    case 'mean': return [zero, 'x', 'a + b', `acc / ${t}(P.R)`];
    case 'max': return [lo, 'x', 'max(a, b)', 'acc'];
    case 'min': return [hi, 'x', 'min(a, b)', 'acc'];
    case 'prod': return [one, 'x', 'a * b', 'acc'];
    case 'sumsquare': return [zero, 'x * x', 'a + b', 'acc'];
    case 'l1': return [zero, 'abs(x)', 'a + b', 'acc'];
    case 'l2': return [zero, 'x * x', 'a + b', 'sqrt(acc)'];
    case 'logsumexp': return [zero, 'exp(x - m)', 'a + b', 'm + log(acc)'];
  }
}

/** Every reduction (kind × layout) binds the same parameters and buffers; kinds differ in the body only. */
const sig = (t: Word) => signature({
  params: { nOut: 'u32', R: 'u32', nk: 'u32', nr: 'u32', ks: ['u32', MAX_REDUCE_DIMS], kst: ['u32', MAX_REDUCE_DIMS], rs: ['u32', MAX_REDUCE_DIMS], rst: ['u32', MAX_REDUCE_DIMS] },
  buffers: [{ name: 'X', elem: t }, { name: 'Y', elem: t, writes: true }],
});

export interface ReduceConfig { kind: ReduceKind; dtype: ElemType; shape: number[]; reduced: Set<number>; nOut: number }

export function reduceKernel(c: ReduceConfig, name: string): KernelSpec | string {
  const { kept, red } = reduceLayout(c.shape, c.reduced);
  if (kept.length > MAX_REDUCE_DIMS || red.length > MAX_REDUCE_DIMS) return `more than ${MAX_REDUCE_DIMS} non-contiguous dims`;
  const R = red.reduce((a, d) => a * d[0], 1);
  const t = storageType(c.dtype);
  if (t !== 'f32' && (c.kind === 'l2' || c.kind === 'logsumexp')) return `${name} needs a float input, got ${c.dtype}`;
  const mode = R >= 32 ? 'wg' : 'thread';
  const [init, map, comb, fin] = parts(c.kind, t);
  const lse = c.kind === 'logsumexp';
  const wg = mode === 'wg';
  const params = { nOut: c.nOut, R, nk: kept.length, nr: red.length, ks: kept.map((d) => d[0]), kst: kept.map((d) => d[1]), rs: red.map((d) => d[0]), rst: red.map((d) => d[1]) };
  const tree = (fnName: string, op: string) => `fn ${fnName}(v: T, li: u32) -> T {
  red[li] = v; workgroupBarrier();
  for (var w = 32u; w > 0u; w >>= 1u) { if (li < w) { let a = red[li]; let b = red[li + w]; red[li] = ${op}; } workgroupBarrier(); }
  let t = red[0]; workgroupBarrier(); return t;
}`;
  const body = `alias T = ${t};
fn kept_off(o: u32) -> u32 {
  var rem = o; var off = 0u;
  for (var d = i32(P.nk) - 1; d >= 0; d--) { let s = P_ks(u32(d)); off += (rem % s) * P_kst(u32(d)); rem /= s; }
  return off;
}
fn red_off(r: u32) -> u32 {
  var rem = r; var off = 0u;
  for (var d = i32(P.nr) - 1; d >= 0; d--) { let s = P_rs(u32(d)); off += (rem % s) * P_rst(u32(d)); rem /= s; }
  return off;
}
fn fold(base: u32, start: u32, step: u32, m: T) -> T {
  var acc: T = ${init};
  for (var r = start; r < P.R; r += step) { let x = X_ld(base + red_off(r)); let a = acc; let b = ${map}; acc = ${comb}; }
  return acc;
}
fn fold_max(base: u32, start: u32, step: u32) -> T {
  var acc: T = ${lits(t).lo};
  for (var r = start; r < P.R; r += step) { acc = max(acc, X_ld(base + red_off(r))); }
  return acc;
}
${wg ? `var<workgroup> red: array<T, 64>;
${tree('tree', comb)}
${tree('tree_max', 'max(a, b)')}
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let P = wgml_init();
  let o = wid.x + wid.y * nwg.x;
  // No early return before the barriers: with a shared bind group P is a private copy, which WGSL's
  // uniformity analysis cannot prove uniform. Workgroups past nOut (a folded grid's tail) reduce
  // output 0's inputs and store nothing.
  let live = o < P.nOut;
  let base = select(0u, kept_off(o), live);
  ${lse ? 'let m0 = tree_max(fold_max(base, li, 64u), li); let m = select(m0, 0.0, m0 < -3.0e38);' : 'let m = T(0);'}
  let acc = tree(fold(base, li, 64u, m), li);
  if (li == 0u && live) { Y_st(o, ${fin}); }
}` : `@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let P = wgml_init();
  let o = linear_index(gid, nwg);
  if (o >= P.nOut) { return; }
  let base = kept_off(o);
  ${lse ? 'let m0 = fold_max(base, 0u, 1u); let m = select(m0, 0.0, m0 < -3.0e38);' : 'let m = T(0);'}
  let acc = fold(base, 0u, 1u, m);
  Y_st(o, ${fin});
}`}`;
  return declaredKernel({
    name: `${name}_${mode}`, key: `linalg_reduce_${c.kind}_${t}_${mode}`, sig: sig(t), params, args: [{ input: 0 }, { output: 0 }],
    workgroups: wg ? dispatch1d(c.nOut, 1) : dispatch1d(c.nOut, 64),
    source: () => ({ requires: wg ? [] : [linearIndex(64)], body }),
  });
}
