/**
 * DynamicQuantizeLinear — https://onnx.ai/onnx/operators/onnx__DynamicQuantizeLinear.html (opset 11)
 * uint8 only. scale = (max(0, max x) − min(0, min x)) / 255, zero_point = saturate(round(−min / scale)),
 * y = saturate(round(x / scale) + zero_point), rounding half to even. On the GPU: one workgroup reduces
 * min/max and writes scale and zero point into outputs 1 and 2, a second dispatch quantizes reading
 * them back from the GPU buffers (no readback to the host). An all-zero input gives scale 0, zp 0, y 0.
 */
import { signature } from '../../gpu/signature.js';
import { hostTensor, shapeSize } from '../../ir/types.js';
import { declaredKernel, dispatch1d, type OpDef } from '../types.js';
import { divRn, linearIndex, perItemMain } from '../wgsl-common.js';
import { roundHalfEven } from './common.js';

const RWG = 256;
// Scale and zero point: written by the min/max pass, read by the quantizing pass.
const MINMAX_SIG = signature({ params: { n: 'u32' }, buffers: [{ name: 'X', elem: 'f32' }, { name: 'S', elem: 'f32', writes: true }, { name: 'Z', elem: 'u32', writes: true }] });
const APPLY_SIG = signature({ params: { n: 'u32' }, buffers: [{ name: 'X', elem: 'f32' }, { name: 'S', elem: 'f32' }, { name: 'Z', elem: 'u32' }, { name: 'Y', elem: 'u32', writes: true }] });

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
    return { kernels: [declaredKernel({
      name: 'dynamic_quantize_minmax', key: 'dynq_minmax', sig: MINMAX_SIG, params: { n }, args: [{ input: 0 }, { output: 1 }, { output: 2 }], workgroups: [1, 1, 1],
      source: () => ({
        requires: [divRn],
        body: `var<workgroup> lo: array<f32, ${RWG}>;
var<workgroup> hi: array<f32, ${RWG}>;
@compute @workgroup_size(${RWG}) fn main(@builtin(local_invocation_index) t: u32) {
  let P = wgml_init();
  var a = 0.0;
  var b = 0.0;
  for (var i = t; i < P.n; i += ${RWG}u) { let x = X_ld(i); a = min(a, x); b = max(b, x); }
  lo[t] = a; hi[t] = b;
  workgroupBarrier();
  for (var s = ${RWG / 2}u; s > 0u; s >>= 1u) {
    if (t < s) { lo[t] = min(lo[t], lo[t + s]); hi[t] = max(hi[t], hi[t + s]); }
    workgroupBarrier();
  }
  if (t == 0u) {
    let scale = div_rn(hi[0] - lo[0], 255.0);
    S_st(0u, scale);
    Z_st(0u, select(u32(clamp(round(0.0 - div_rn(lo[0], scale)), 0.0, 255.0)), 0u, scale == 0.0));
  }
}`,
      }),
    }), declaredKernel({
      name: 'dynamic_quantize_apply', key: 'dynq_apply', sig: APPLY_SIG, params: { n }, args: [{ input: 0 }, { output: 1 }, { output: 2 }, { output: 0 }],
      workgroups: dispatch1d(n, 64, ctx.caps.maxComputeWorkgroupsPerDimension),
      source: () => ({
        requires: [linearIndex(64), divRn],
        body: perItemMain(64, 'i', 'P.n', `  let scale = S_ld(0u);
  if (scale == 0.0) { Y_st(i, 0u); return; }
  Y_st(i, u32(clamp(round(div_rn(X_ld(i), scale)) + f32(Z_ld(0u)), 0.0, 255.0)));`),
      }),
    })] };
  },
};
