/**
 * DynamicQuantizeLinear — https://onnx.ai/onnx/operators/onnx__DynamicQuantizeLinear.html (opset 11)
 * uint8 only. scale = (max(0, max x) − min(0, min x)) / 255, zero_point = saturate(round(−min / scale)),
 * y = saturate(round(x / scale) + zero_point), rounding half to even. On the GPU: one workgroup reduces
 * min/max and writes scale and zero point into outputs 1 and 2, a second dispatch quantizes reading
 * them back from the GPU buffers (no readback to the host). An all-zero input gives scale 0, zp 0, y 0.
 */
import { resolveWgsl } from '../../gpu/wgsl.js';
import { hostTensor, shapeSize } from '../../ir/types.js';
import { UniformWriter, dispatch1d, type OpDef } from '../types.js';
import { linearIndex } from '../wgsl-common.js';
import { roundHalfEven } from './common.js';

const RWG = 256;

export const DynamicQuantizeLinear: OpDef<Record<string, never>> = {
  type: 'DynamicQuantizeLinear', opsets: [11, 99],
  attrs: () => ({}),
  infer(ctx) {
    const x = ctx.inputs[0]!;
    if (x.dtype !== 'float32' && x.dtype !== 'float16') throw ctx.error(`x is ${x.dtype}`, 'DynamicQuantizeLinear takes float input');
    return [{ dtype: 'uint8', shape: [...x.shape] }, { dtype: 'float32', shape: [] }, { dtype: 'uint8', shape: [] }];
  },
  reference([x]) {
    let lo = 0, hi = 0;
    for (const v of x!.data) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    const f = Math.fround;
    const scale = f(f(hi - lo) / 255);
    const zp = scale === 0 ? 0 : Math.min(255, Math.max(0, roundHalfEven(f(0 - f(lo / scale)))));
    const y = hostTensor('uint8', x!.shape);
    if (scale !== 0) x!.data.forEach((v, i) => { y.data[i] = Math.min(255, Math.max(0, roundHalfEven(f(v / scale)) + zp)); });
    return [y, hostTensor('float32', [], [scale]), hostTensor('uint8', [], [zp])];
  },
  gpu(ctx) {
    const n = shapeSize(ctx.inputs[0]!.shape);
    const u = new UniformWriter().u32(n).finish();
    return { kernels: [{
      name: 'dynamic_quantize_minmax', key: 'dynq_minmax', args: [{ input: 0 }, { output: 1 }, { output: 2 }], uniforms: u, workgroups: [1, 1, 1],
      wgsl: () => resolveWgsl({
        bindings: [{ name: 'P', kind: 'uniform', type: 'Params' }, { name: 'X', kind: 'read', type: 'array<f32>' },
          { name: 'S', kind: 'read_write', type: 'array<f32>' }, { name: 'Z', kind: 'read_write', type: 'array<u32>' }],
        body: `struct Params { n: u32 }
var<workgroup> lo: array<f32, ${RWG}>;
var<workgroup> hi: array<f32, ${RWG}>;
@compute @workgroup_size(${RWG}) fn main(@builtin(local_invocation_index) t: u32) {
  var a = 0.0;
  var b = 0.0;
  for (var i = t; i < P.n; i += ${RWG}u) { a = min(a, X[i]); b = max(b, X[i]); }
  lo[t] = a; hi[t] = b;
  workgroupBarrier();
  for (var s = ${RWG / 2}u; s > 0u; s >>= 1u) {
    if (t < s) { lo[t] = min(lo[t], lo[t + s]); hi[t] = max(hi[t], hi[t + s]); }
    workgroupBarrier();
  }
  if (t == 0u) {
    let scale = (hi[0] - lo[0]) / 255.0;
    S[0] = scale;
    Z[0] = select(u32(clamp(round(0.0 - lo[0] / scale), 0.0, 255.0)), 0u, scale == 0.0);
  }
}`,
      }),
    }, {
      name: 'dynamic_quantize_apply', key: 'dynq_apply', args: [{ input: 0 }, { output: 1 }, { output: 2 }, { output: 0 }], uniforms: u,
      workgroups: dispatch1d(n, 64, ctx.caps.maxComputeWorkgroupsPerDimension),
      wgsl: () => resolveWgsl({
        bindings: [{ name: 'P', kind: 'uniform', type: 'Params' }, { name: 'X', kind: 'read', type: 'array<f32>' },
          { name: 'S', kind: 'read_write', type: 'array<f32>' }, { name: 'Z', kind: 'read_write', type: 'array<u32>' }, { name: 'Y', kind: 'read_write', type: 'array<u32>' }],
        requires: [linearIndex(64)],
        body: `struct Params { n: u32 }
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg);
  if (i >= P.n) { return; }
  let scale = S[0];
  if (scale == 0.0) { Y[i] = 0u; return; }
  Y[i] = u32(clamp(round(X[i] / scale) + f32(Z[0]), 0.0, 255.0));
}`,
      }),
    }] };
  },
};
