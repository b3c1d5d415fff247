/**
 * DynamicQuantizeLinear — https://onnx.ai/onnx/operators/onnx__DynamicQuantizeLinear.html (opset 11)
 * uint8 only. scale = (max(0, max x) − min(0, min x)) / 255, zero_point = saturate(round(−min / scale)),
 * y = saturate(round(x / scale) + zero_point), rounding half to even. On the GPU, two dispatches and no
 * readback: up to 256 workgroups reduce slices of x to partial minima and maxima (scratch), then every
 * workgroup of the quantizing dispatch reduces those partials (a few KiB, from cache) to the same scale and
 * zero point before quantizing its elements, and its first thread writes them to outputs 1 and 2. One
 * workgroup reducing all of x, as before, streamed a BERT layer's 393K activations through one SM.
 * An all-zero input gives scale 0, zp 0, y 0.
 */
import { signature } from '../../gpu/signature.js';
import { hostTensor, shapeSize } from '../../ir/types.js';
import { declaredKernel, dispatch1d, type OpDef } from '../types.js';
import { divRn, linearIndex } from '../wgsl-common.js';
import { roundHalfEven } from './common.js';

const RWG = 256;
/** Most partial min/max pairs: the quantizing workgroups (64 threads) reduce them 4 to a thread. */
const MAX_PARTIALS = 256;
const AWG = 64;
// Partials: [lo, hi] per reducing workgroup, in scratch.
const MINMAX_SIG = signature({ params: { n: 'u32', parts: 'u32' }, buffers: [{ name: 'X', elem: 'f32' }, { name: 'Part', elem: 'f32', writes: true }] });
const APPLY_SIG = signature({
  params: { n: 'u32', parts: 'u32' },
  buffers: [{ name: 'X', elem: 'f32' }, { name: 'Part', elem: 'f32' }, { name: 'S', elem: 'f32', writes: true }, { name: 'Z', elem: 'u32', writes: true }, { name: 'Y', elem: 'u32', writes: true }],
});

/** Reducing workgroups for n elements: enough that each thread reads ≥ 16, at most MAX_PARTIALS. */
export const partialsFor = (n: number): number => Math.max(1, Math.min(MAX_PARTIALS, Math.ceil(n / (RWG * 16))));

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
    const parts = partialsFor(n);
    return { scratch: [parts * 8], kernels: [declaredKernel({
      name: 'dynamic_quantize_minmax', key: 'dynq_minmax', sig: MINMAX_SIG, params: { n, parts }, args: [{ input: 0 }, { scratch: 0 }], workgroups: [parts, 1, 1],
      source: () => ({
        body: `var<workgroup> lo: array<f32, ${RWG}>;
var<workgroup> hi: array<f32, ${RWG}>;
@compute @workgroup_size(${RWG}) fn main(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let P = wgml_init();
  var a = 0.0;
  var b = 0.0;
  for (var i = wid.x * ${RWG}u + t; i < P.n; i += P.parts * ${RWG}u) { let x = X_ld(i); a = min(a, x); b = max(b, x); }
  lo[t] = a; hi[t] = b;
  workgroupBarrier();
  for (var s = ${RWG / 2}u; s > 0u; s >>= 1u) {
    if (t < s) { lo[t] = min(lo[t], lo[t + s]); hi[t] = max(hi[t], hi[t + s]); }
    workgroupBarrier();
  }
  if (t == 0u) { Part_st(2u * wid.x, lo[0]); Part_st(2u * wid.x + 1u, hi[0]); }
}`,
      }),
    }), declaredKernel({
      name: 'dynamic_quantize_apply', key: 'dynq_apply', sig: APPLY_SIG, params: { n, parts }, args: [{ input: 0 }, { scratch: 0 }, { output: 1 }, { output: 2 }, { output: 0 }],
      workgroups: dispatch1d(n, AWG, ctx.caps.maxComputeWorkgroupsPerDimension),
      source: () => ({
        requires: [linearIndex(AWG), divRn],
        // every workgroup reduces the partials to the same scale and zero point (barriers before any return)
        body: `var<workgroup> lo: array<f32, ${AWG}>;
var<workgroup> hi: array<f32, ${AWG}>;
@compute @workgroup_size(${AWG}) fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let P = wgml_init();
  var a = 0.0;
  var b = 0.0;
  for (var k = t; k < P.parts; k += ${AWG}u) { a = min(a, Part_ld(2u * k)); b = max(b, Part_ld(2u * k + 1u)); }
  lo[t] = a; hi[t] = b;
  workgroupBarrier();
  for (var s = ${AWG / 2}u; s > 0u; s >>= 1u) {
    if (t < s) { lo[t] = min(lo[t], lo[t + s]); hi[t] = max(hi[t], hi[t + s]); }
    workgroupBarrier();
  }
  let scale = div_rn(hi[0] - lo[0], 255.0);
  let zp = select(u32(clamp(round(0.0 - div_rn(lo[0], scale)), 0.0, 255.0)), 0u, scale == 0.0);
  let i = linear_index(gid, nwg);
  if (i == 0u) { S_st(0u, scale); Z_st(0u, zp); }
  if (i >= P.n) { return; }
  if (scale == 0.0) { Y_st(i, 0u); return; }
  Y_st(i, u32(clamp(round(div_rn(X_ld(i), scale)) + f32(zp), 0.0, 255.0)));
}`,
      }),
    })] };
  },
};
