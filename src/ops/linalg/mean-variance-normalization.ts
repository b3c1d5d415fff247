/**
 * MeanVarianceNormalization — https://onnx.ai/onnx/operators/onnx__MeanVarianceNormalization.html
 * Opset 9 and 13. y = (x - E[x]) / (sqrt(E[(x - E[x])²]) + 1e-9) over `axes` (default [0, 2, 3]); the
 * 1e-9 is the epsilon of the spec's function body. One thread per kept position: two passes for the
 * statistics, a third writes the outputs, so no scratch buffer is needed.
 */
import { signature } from '../../gpu/signature.js';
import { hostTensor, isFloat, type HostTensor } from '../../ir/types.js';
import { declaredKernel, dispatch1d, type InferContext, type OpDef } from '../types.js';
import { linearIndex } from '../wgsl-common.js';
import { expectInputs } from '../arity.js';
import { MAX_REDUCE_DIMS, reduceLayout } from './reduce-kernel.js';
import { prod } from './util.js';
import { normAxis } from '../../ir/axis.js';

interface A { axes: number[] }
const WG = 64, EPS = 1e-9;
const SIG = signature({
  params: { K: 'u32', R: 'u32', nk: 'u32', nr: 'u32', ksz: ['u32', MAX_REDUCE_DIMS], kst: ['u32', MAX_REDUCE_DIMS], rsz: ['u32', MAX_REDUCE_DIMS], rst: ['u32', MAX_REDUCE_DIMS] },
  buffers: [{ name: 'X', elem: 'f32' }, { name: 'Y', elem: 'f32', writes: true }],
});

function reduced(ctx: InferContext, a: A): Set<number> {
  const r = ctx.inputs[0]!.shape.length;
  return new Set(a.axes.map((x) => normAxis(ctx, x, r, 'axis')));
}

export const MeanVarianceNormalization: OpDef<A> = {
  type: 'MeanVarianceNormalization', opsets: [9, 99],
  attrs: (a) => ({ axes: a.ints('axes', [0, 2, 3]) }),
  infer(ctx, a) {
    expectInputs(ctx, 1);
    const x = ctx.inputs[0]!;
    if (!isFloat(x.dtype)) throw ctx.error(`needs a float input, got ${x.dtype}`, 'cast the input to float first', { dtype: x.dtype });
    reduced(ctx, a);
    return [{ dtype: x.dtype, shape: [...x.shape] }];
  },
  reference([x], a, ctx): HostTensor[] {
    const red = reduced(ctx, a), shape = x!.shape;
    const key = (flat: number) => { let k = 0, m = 1; for (let d = shape.length - 1; d >= 0; d--) { const c = flat % shape[d]!; flat = Math.floor(flat / shape[d]!); if (!red.has(d)) { k += c * m; m *= shape[d]!; } } return k; };
    const groups = new Map<number, number[]>();
    for (let i = 0; i < x!.data.length; i++) { const k = key(i); const g = groups.get(k) ?? []; g.push(i); groups.set(k, g); }
    const y = hostTensor(x!.dtype, shape);
    for (const g of groups.values()) {
      const mean = g.reduce((s, i) => s + x!.data[i]!, 0) / g.length;
      const v = g.reduce((s, i) => s + (x!.data[i]! - mean) ** 2, 0) / g.length;
      for (const i of g) y.data[i] = (x!.data[i]! - mean) / (Math.sqrt(v) + EPS);
    }
    return [y];
  },
  gpu(ctx, a) {
    const x = ctx.inputs[0]!;
    const { kept, red } = reduceLayout(x.shape, reduced(ctx, a));
    if (kept.length > MAX_REDUCE_DIMS || red.length > MAX_REDUCE_DIMS) return `more than ${MAX_REDUCE_DIMS} non-contiguous dims`;
    const K = prod(kept.map((d) => d[0])), R = prod(red.map((d) => d[0]));
    if (!K || !R) return { kernels: [] };
    const col = (l: [number, number][], i: 0 | 1) => l.map((d) => d[i]);
    return { kernels: [declaredKernel({
      name: 'mvn', key: 'mvn', sig: SIG, args: [{ input: 0 }, { output: 0 }],
      params: { K, R, nk: kept.length, nr: red.length, ksz: col(kept, 0), kst: col(kept, 1), rsz: col(red, 0), rst: col(red, 1) },
      workgroups: dispatch1d(K, WG, ctx.caps.maxComputeWorkgroupsPerDimension),
      source: () => ({
        requires: [linearIndex(WG)],
        body: `fn red_off(r: u32) -> u32 {
  var rem = r; var o = 0u;
  for (var d = i32(P.nr) - 1; d >= 0; d--) { let n = P_rsz(u32(d)); o += (rem % n) * P_rst(u32(d)); rem = rem / n; }
  return o;
}
@compute @workgroup_size(${WG}) fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let P = wgml_init();
  let k = linear_index(gid, nwg);
  if (k >= P.K) { return; }
  var rem = k; var base = 0u;
  for (var d = i32(P.nk) - 1; d >= 0; d--) { let n = P_ksz(u32(d)); base += (rem % n) * P_kst(u32(d)); rem = rem / n; }
  var s = 0.0;
  for (var r = 0u; r < P.R; r++) { s += X_ld(base + red_off(r)); }
  let mean = s / f32(P.R);
  var v = 0.0;
  for (var r = 0u; r < P.R; r++) { let e = X_ld(base + red_off(r)) - mean; v += e * e; }
  let inv = 1.0 / (sqrt(v / f32(P.R)) + ${EPS});
  for (var r = 0u; r < P.R; r++) { let o = base + red_off(r); Y_st(o, (X_ld(o) - mean) * inv); }
}`,
      }),
    })] };
  },
};
