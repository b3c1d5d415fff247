/**
 * MeanVarianceNormalization — https://onnx.ai/onnx/operators/onnx__MeanVarianceNormalization.html
 * Opset 9 and 13. y = (x - E[x]) / (sqrt(E[(x - E[x])²]) + 1e-9) over `axes` (default [0, 2, 3]); the
 * 1e-9 is the epsilon of the spec's function body. One thread per kept position: two passes for the
 * statistics, a third writes the outputs, so no scratch buffer is needed.
 */
import { resolveWgsl } from '../../gpu/wgsl.js';
import { hostTensor, isFloat, type HostTensor } from '../../ir/types.js';
import { dispatch1d, UniformWriter, type InferContext, type OpDef } from '../types.js';
import { linearIndex } from '../wgsl-common.js';
import { expectInputs } from '../arity.js';
import { MAX_REDUCE_DIMS, reduceLayout } from './reduce-kernel.js';
import { normAxis, prod } from './util.js';

interface A { axes: number[] }
const WG = 64, EPS = 1e-9;

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
    return { kernels: [{
      name: 'mvn', key: 'mvn', args: [{ input: 0 }, { output: 0 }],
      uniforms: new UniformWriter().u32(K, R, kept.length, red.length).u32Array(col(kept, 0), 2).u32Array(col(kept, 1), 2)
        .u32Array(col(red, 0), 2).u32Array(col(red, 1), 2).finish(),
      workgroups: dispatch1d(K, WG, ctx.caps.maxComputeWorkgroupsPerDimension),
      wgsl: () => resolveWgsl({
        bindings: [{ name: 'P', kind: 'uniform', type: 'Params' }, { name: 'X', kind: 'read', type: 'array<f32>' }, { name: 'Y', kind: 'read_write', type: 'array<f32>' }],
        requires: [linearIndex(WG)],
        body: `struct Params { K: u32, R: u32, nk: u32, nr: u32, ksz: array<vec4<u32>, 2>, kst: array<vec4<u32>, 2>, rsz: array<vec4<u32>, 2>, rst: array<vec4<u32>, 2> }
fn red_off(r: u32) -> u32 {
  var rem = r; var o = 0u;
  for (var d = i32(P.nr) - 1; d >= 0; d--) { let n = P.rsz[d / 4][d % 4]; o += (rem % n) * P.rst[d / 4][d % 4]; rem = rem / n; }
  return o;
}
@compute @workgroup_size(${WG}) fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let k = linear_index(gid, nwg);
  if (k >= P.K) { return; }
  var rem = k; var base = 0u;
  for (var d = i32(P.nk) - 1; d >= 0; d--) { let n = P.ksz[d / 4][d % 4]; base += (rem % n) * P.kst[d / 4][d % 4]; rem = rem / n; }
  var s = 0.0;
  for (var r = 0u; r < P.R; r++) { s += X[base + red_off(r)]; }
  let mean = s / f32(P.R);
  var v = 0.0;
  for (var r = 0u; r < P.R; r++) { let e = X[base + red_off(r)] - mean; v += e * e; }
  let inv = 1.0 / (sqrt(v / f32(P.R)) + ${EPS});
  for (var r = 0u; r < P.R; r++) { let o = base + red_off(r); Y[o] = (X[o] - mean) * inv; }
}`,
      }),
    }] };
  },
};
