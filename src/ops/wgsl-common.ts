/** WGSL helpers shared by kernels, included once per shader by the resolver. */
import type { WgslModule } from '../gpu/wgsl.js';

/** Linear invocation index for grids folded into 2D by dispatch1d(). Use with `@builtin(global_invocation_id) gid` and `@builtin(num_workgroups) nwg`. */
export const linearIndex = (wg: number): WgslModule => ({
  name: `linear_index_${wg}`,
  code: `fn linear_index(gid: vec3<u32>, nwg: vec3<u32>) -> u32 { return gid.x + gid.y * nwg.x * ${wg}u; }`,
});

/**
 * `div_rn(a, b)`: a / b rounded to nearest as IEEE division rounds it. WGSL lets `/` be off by 2.5 ulp,
 * and NVIDIA's is: round() or floor() of a quotient then crosses a boundary the CPU reference does not
 * (on an H200, Resize's nearest 2 → 7 read the wrong row where (3 + 0.5) / 3.5 came out above 1, and
 * DynamicQuantizeLinear rounded x / scale down). One residual step corrects it: q·b is recovered exactly
 * as a sum of two floats (Dekker's product: halves split at 12 bits by masking, every partial product
 * exact, whatever a compiler contracts into fmas), so a − q·b is exact, and the correction is far below
 * an ulp of q. fma would do it in one step, but lavapipe's is not fused: a version built on it turned
 * lavapipe's correctly rounded 3.3 / 2.2 = 1.5 into the float below. Where the step is not finite
 * (b = 0, overflow, NaN) q stands.
 */
export const divRn: WgslModule = {
  name: 'div_rn',
  code: `fn split_12(x: f32) -> vec2<f32> {
  // the top 12 significant bits by masking, not Veltkamp's 4097·x: a compiler may contract c − (c − x)
  // into an fma (Vulkan allows it), which breaks that split; a mask it cannot rewrite, and x − hi is exact
  let hi = bitcast<f32>(bitcast<u32>(x) & 0xfffff000u);
  return vec2<f32>(hi, x - hi);
}
fn div_rn(a: f32, b: f32) -> f32 {
  let q = a / b;
  let p = q * b;
  let qs = split_12(q); let bs = split_12(b);
  let e = ((qs.x * bs.x - p) + qs.x * bs.y + qs.y * bs.x) + qs.y * bs.y;
  let c = q + ((a - p) - e) / b;
  return select(q, c, c == c && abs(c) <= bitcast<f32>(0x7f7fffffu));
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
