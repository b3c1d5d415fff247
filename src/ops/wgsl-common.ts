/** WGSL helpers shared by kernels, included once per shader by the resolver. */
import type { WgslModule } from '../gpu/wgsl.js';

/** Linear invocation index for grids folded into 2D by dispatch1d(). Use with `@builtin(global_invocation_id) gid` and `@builtin(num_workgroups) nwg`. */
export const linearIndex = (wg: number): WgslModule => ({
  name: `linear_index_${wg}`,
  code: `fn linear_index(gid: vec3<u32>, nwg: vec3<u32>) -> u32 { return gid.x + gid.y * nwg.x * ${wg}u; }`,
});

/**
 * The entry point of a kernel with one invocation per item, on a grid folded by dispatch1d() (require
 * `linearIndex(wg)`): it reads the parameter block into `P`, numbers the item `index`, and runs `body`
 * (statements, indented two spaces) for items below `count`.
 */
export function perItemMain(wg: number, index: string, count: string, body: string): string {
  return `@compute @workgroup_size(${wg}) fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let P = wgml_init();
  let ${index} = linear_index(gid, nwg);
  if (${index} >= ${count}) { return; }
${body}
}`;
}

/**
 * `div_rn(a, b)`: a / b rounded to nearest-even as IEEE division rounds it. WGSL lets `/` be off by 2.5 ulp,
 * and NVIDIA's is: round() or floor() of a quotient then crosses a boundary the CPU reference does not
 * (on an H200, Resize's nearest 2 → 7 read the wrong row where (3 + 0.5) / 3.5 came out above 1, and
 * DynamicQuantizeLinear rounded x / scale down). The significands are divided in integers (long division,
 * 8 quotient bits a step, u32 division being exact in WGSL), so the result does not depend on the device's
 * float division, fma or contraction: two float versions (a Dekker residual step) failed that way, one on
 * lavapipe's unfused fma, one likely on NVIDIA's contraction of a − q·b into an fma. Zeros, subnormals,
 * inf, NaN and quotients near the ends of the range keep the device's quotient.
 */
export const divRn: WgslModule = {
  name: 'div_rn',
  code: `fn div_rn(a: f32, b: f32) -> f32 {
  let q = a / b;
  let ua = bitcast<u32>(a); let ub = bitcast<u32>(b);
  let ea = (ua >> 23u) & 0xffu; let eb = (ub >> 23u) & 0xffu; let eq = (bitcast<u32>(q) >> 23u) & 0xffu;
  if (ea == 0u || ea == 255u || eb == 0u || eb == 255u || eq < 2u || eq > 253u) { return q; }
  let mb = (ub & 0x7fffffu) | 0x800000u;
  var r = (ua & 0x7fffffu) | 0x800000u;
  var e = i32(ea) - i32(eb) + 127;
  if (r < mb) { r = r << 1u; e = e - 1; }
  // r / mb is in [1, 2): one integer bit, then 24 more (23 of the significand and a guard bit); r < mb after
  // each step, so r << 8 fits in 32 bits
  var m = 1u; r = r - mb;
  for (var k = 0u; k < 3u; k = k + 1u) {
    r = r << 8u; let d = r / mb;
    m = (m << 8u) | d; r = r - d * mb;
  }
  let guard = m & 1u; m = m >> 1u;
  m = m + select(0u, 1u, guard == 1u && (r != 0u || (m & 1u) == 1u));
  if (m == 0x1000000u) { m = 0x800000u; e = e + 1; }
  return bitcast<f32>(((ua ^ ub) & 0x80000000u) | (u32(e) << 23u) | (m & 0x7fffffu));
}`,
};

/** `sincos_poly(x)`: (sin x, cos x) for |x| ≤ π/4 by Taylor polynomials to degree 9 and 8 (errors below 3e-8). */
export const sincosPoly: WgslModule = {
  name: 'sincos_poly',
  code: `fn sincos_poly(x: f32) -> vec2<f32> {
  let x2 = x * x;
  let s = x * (1.0 + x2 * (-1.0 / 6.0 + x2 * (1.0 / 120.0 + x2 * (-1.0 / 5040.0 + x2 * (1.0 / 362880.0)))));
  let c = 1.0 + x2 * (-0.5 + x2 * (1.0 / 24.0 + x2 * (-1.0 / 720.0 + x2 * (1.0 / 40320.0))));
  return vec2<f32>(s, c);
}`,
};

/**
 * `sincos_rr(x)`: (sin x, cos x) to ~1e-7 absolute for |x| ≤ 102000, whatever the device's own builtins (WGSL lets
 * them be 2^-11 off in [-π, π], as SwiftShader's are, and says nothing beyond). x − k·π/2 with π/2 in three parts,
 * the first two of 8 bits so that k·C1 and k·C2 are exact for k < 2^16 however the compiler contracts; then
 * sincos_poly on [-π/4, π/4]. Callers handle larger |x|, NaN and Inf.
 */
export const sincosReduced: WgslModule = {
  name: 'sincos_rr',
  requires: [sincosPoly],
  code: `fn sincos_rr(x: f32) -> vec2<f32> {
  let k = round(x * 0.6366197723675814);
  let r = ((x - k * 1.5703125) - k * 0.0004825592041015625) - k * 1.2675908465098473e-06;
  let sc = sincos_poly(r);
  let s = sc.x; let c = sc.y;
  // quadrant q of x = k·π/2 + r: sin x is s, c, −s, −c and cos x is c, −s, −c, s
  let q = u32(i32(k) & 3);
  let odd = (q & 1u) == 1u;
  return vec2<f32>(select(1.0, -1.0, q >= 2u) * select(s, c, odd), select(1.0, -1.0, q == 1u || q == 2u) * select(c, s, odd));
}`,
};

/** Activation functions, also used by fused epilogues. */
export const activations: WgslModule = {
  name: 'activations',
  code: `
fn act_sigmoid(x: f32) -> f32 { return 1.0 / (1.0 + exp(-x)); }
fn act_hardsigmoid(x: f32, alpha: f32, beta: f32) -> f32 { return clamp(alpha * x + beta, 0.0, 1.0); }
fn act_hardswish(x: f32) -> f32 { return x * clamp(x / 6.0 + 0.5, 0.0, 1.0); }
fn act_silu(x: f32) -> f32 { return x / (1.0 + exp(-x)); }
fn act_tanh(x: f32) -> f32 { let c = clamp(x, -15.0, 15.0); let e = exp(2.0 * c); return (e - 1.0) / (e + 1.0); }
fn act_erf(x: f32) -> f32 {
  // Abramowitz–Stegun 7.1.26 is too coarse (1.5e-7 abs is fine, but relative error near 0 matters): use a series near 0.
  let a = abs(x);
  if (a < 0.5) {
    let x2 = x * x;
    return x * (1.1283791670955126 + x2 * (-0.3761263890318375 + x2 * (0.1128379167095513 + x2 * (-0.02686617064513125 + x2 * 0.005223977625442188))));
  }
  let t = 1.0 / (1.0 + 0.5 * a);
  let y = 1.0 - t * exp(-a * a - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return select(-y, y, x >= 0.0);
}
fn act_gelu(x: f32) -> f32 { return 0.5 * x * (1.0 + act_erf(x * 0.7071067811865476)); }
`,
};
