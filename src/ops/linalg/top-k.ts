/**
 * TopK — https://onnx.ai/onnx/operators/onnx__TopK.html
 * Opset 1: k attribute; 10+: k is input 1 (a compile-time constant here, it sets the shape); 11+:
 * `largest`, `sorted`, negative axis. Values and int64 Indices along `axis`; equal values keep the
 * lower index first (as the spec asks). Results are always sorted, which sorted=0 permits.
 * GPU: one thread per row, k selection passes, each taking the best element ranked strictly after the
 * previous pick in (value, index) order, so no scratch memory is needed (O(k·n) per row).
 */
import { signature, type Word } from '../../gpu/signature.js';
import { hostTensor, storageType, type HostTensor } from '../../ir/types.js';
import { declaredKernel, dispatch1d, type InferContext, type OpDef } from '../types.js';
import { linearIndex } from '../wgsl-common.js';
import { expectInputs } from '../arity.js';
import { prod } from './util.js';
import { normAxis } from '../../ir/axis.js';

interface A { axis: number; largest: boolean; k: number | null }
const WG = 64;
// Values, and indices as i32 words (int64 outputs are stored as i32).
const sig = (w: Word) => signature({
  params: { rows: 'u32', R: 'u32', inner: 'u32', k: 'u32' },
  buffers: [{ name: 'X', elem: w }, { name: 'V', elem: w, writes: true }, { name: 'IX', elem: 'i32', writes: true }],
});

function plan(ctx: InferContext, a: A): { axis: number; k: number; outer: number; R: number; inner: number; shape: number[] } {
  const x = ctx.inputs[0]!;
  if (x.dtype === 'string' || x.dtype === 'bool') throw ctx.error(`TopK does not accept ${x.dtype}`, 'cast to a numeric type first', { dtype: x.dtype });
  if (x.shape.length === 0) throw ctx.error('input must have rank >= 1', 'TopK selects along an axis');
  const axis = normAxis(ctx, a.axis, x.shape.length);
  let k = a.k;
  if (k === null) {
    const t = ctx.constant(1);
    if (!t) throw ctx.error('input 1 (K) must be a compile-time constant', 'make K an initializer or a Constant: it sets the output shape', { input: 1 });
    if (t.data.length !== 1) throw ctx.error(`K must hold one value, got ${t.data.length}`, 'pass K as a 1-element tensor');
    k = t.data[0]!;
  }
  const R = x.shape[axis]!;
  if (!Number.isInteger(k) || k < 0 || k > R) throw ctx.error(`K = ${k} is out of range for an axis of size ${R}`, `use 0 <= K <= ${R}`, { k, dim: R });
  return { axis, k, outer: prod(x.shape.slice(0, axis)), R, inner: prod(x.shape.slice(axis + 1)), shape: x.shape.map((d, i) => (i === axis ? k! : d)) };
}

export const TopK: OpDef<A> = {
  type: 'TopK', constInputs: [1],
  attrs: (a, opset) => {
    const sorted = opset >= 11 ? a.int('sorted', 1) : 1;
    if (sorted !== 0 && sorted !== 1) throw a.error(`sorted must be 0 or 1, got ${sorted}`, 'fix the attribute');
    return { axis: a.int('axis', -1), largest: opset >= 11 ? a.int('largest', 1) === 1 : true, k: opset < 10 ? a.int('k') : null };
  },
  infer(ctx, a) {
    expectInputs(ctx, ctx.opset < 10 ? 1 : 2);
    const p = plan(ctx, a);
    return [{ dtype: ctx.inputs[0]!.dtype, shape: p.shape }, { dtype: 'int64', shape: p.shape }];
  },
  reference([x], a, ctx): HostTensor[] {
    const p = plan(ctx, a);
    const v = hostTensor(x!.dtype, p.shape), ix = hostTensor('int64', p.shape);
    for (let o = 0; o < p.outer; o++) for (let i = 0; i < p.inner; i++) {
      const row = Array.from({ length: p.R }, (_, r) => ({ r, x: x!.data[(o * p.R + r) * p.inner + i]! }));
      row.sort((u, w) => (u.x === w.x ? u.r - w.r : a.largest ? w.x - u.x : u.x - w.x));
      for (let j = 0; j < p.k; j++) { const at = (o * p.k + j) * p.inner + i; v.data[at] = row[j]!.x; ix.data[at] = row[j]!.r; }
    }
    return [v, ix];
  },
  gpu(ctx, a) {
    const p = plan(ctx, a);
    const rows = p.outer * p.inner;
    if (!rows || !p.k) return { kernels: [] };
    const w = storageType(ctx.inputs[0]!.dtype);
    const cmp = a.largest ? '>' : '<';
    return { kernels: [declaredKernel({
      name: 'topk', key: `topk_${w}_${a.largest ? 'max' : 'min'}`, sig: sig(w), args: [{ input: 0 }, { output: 0 }, { output: 1 }],
      params: { rows, R: p.R, inner: p.inner, k: p.k },
      workgroups: dispatch1d(rows, WG, ctx.caps.maxComputeWorkgroupsPerDimension),
      source: () => ({
        requires: [linearIndex(WG)],
        body: `// a ranks before b: better value, or equal value and lower index.
fn before(a: ${w}, ia: u32, b: ${w}, ib: u32) -> bool { return a ${cmp} b || (a == b && ia < ib); }
@compute @workgroup_size(${WG}) fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let P = wgml_init();
  let row = linear_index(gid, nwg);
  if (row >= P.rows) { return; }
  let o = row / P.inner;
  let i = row % P.inner;
  let base = o * P.R * P.inner + i;
  let obase = o * P.k * P.inner + i;
  var pv = X_ld(base);
  var pi = 0u;
  for (var j = 0u; j < P.k; j++) {
    var found = false;
    var bv = pv;
    var bi = 0u;
    for (var r = 0u; r < P.R; r++) {
      let v = X_ld(base + r * P.inner);
      if (j > 0u && !before(pv, pi, v, r)) { continue; }
      if (!found || before(v, r, bv, bi)) { bv = v; bi = r; found = true; }
    }
    V_st(obase + j * P.inner, bv);
    IX_st(obase + j * P.inner, i32(bi));
    pv = bv;
    pi = bi;
  }
}`,
      }),
    })] };
  },
};
