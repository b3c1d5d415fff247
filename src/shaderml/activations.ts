/** Activations of inline networks: WGSL for f32 and f16, and the CPU definitions tests compare with. */
import type { WgslModule } from '../gpu/wgsl.js';
import { sincosReduced } from '../ops/wgsl-common.js';

export type Activation = 'none' | 'relu' | 'leaky_relu' | 'silu' | 'sigmoid' | 'tanh' | 'sine';
export const ACTIVATIONS: readonly Activation[] = ['none', 'relu', 'leaky_relu', 'silu', 'sigmoid', 'tanh', 'sine'];

/** CPU definition. `alpha` is the LeakyReLU slope or the sine frequency (SIREN's w0). */
export function applyActivation(act: Activation, x: number, alpha: number): number {
  switch (act) {
    case 'none': return x;
    case 'relu': return x > 0 ? x : 0;
    case 'leaky_relu': return x > 0 ? x : alpha * x;
    case 'silu': return x / (1 + Math.exp(-x));
    case 'sigmoid': return 1 / (1 + Math.exp(-x));
    case 'tanh': return Math.tanh(x);
    case 'sine': return Math.sin(alpha * x);
  }
}

export function defaultAlpha(act: Activation): number {
  return act === 'leaky_relu' ? 0.01 : act === 'sine' ? 1 : 0;
}

/**
 * `sml_<act>_<T>(x, alpha)` for T in f32/f16. The exp-based ones clamp their argument because
 * exp overflows f16 at 11.1: beyond the clamp the results are already saturated.
 */
export function activationModule(t: 'f32' | 'f16'): WgslModule {
  const lim = t === 'f16' ? '10.0' : '80.0';
  return {
    name: `shaderml_activations_${t}`,
    enables: t === 'f16' ? ['f16'] : [],
    code: `
fn sml_none_${t}(x: ${t}, a: ${t}) -> ${t} { return x; }
fn sml_relu_${t}(x: ${t}, a: ${t}) -> ${t} { return max(x, ${t}(0.0)); }
fn sml_leaky_relu_${t}(x: ${t}, a: ${t}) -> ${t} { return select(a * x, x, x > ${t}(0.0)); }
fn sml_sigmoid_${t}(x: ${t}, a: ${t}) -> ${t} { return ${t}(1.0) / (${t}(1.0) + exp(-clamp(x, ${t}(-${lim}), ${t}(${lim})))); }
fn sml_silu_${t}(x: ${t}, a: ${t}) -> ${t} { return x * sml_sigmoid_${t}(x, a); }
fn sml_tanh_${t}(x: ${t}, a: ${t}) -> ${t} { let e = exp(${t}(2.0) * clamp(x, ${t}(-${t === 'f16' ? '5.0' : '15.0'}), ${t}(${t === 'f16' ? '5.0' : '15.0'}))); return (e - ${t}(1.0)) / (e + ${t}(1.0)); }
${t === 'f32'
    ? 'fn sml_sine_f32(x: f32, a: f32) -> f32 { let y = a * x; return select(sin(y), sincos_rr(y).x, abs(y) <= 102000.0); }'
    : 'fn sml_sine_f16(x: f16, a: f16) -> f16 { return sin(a * x); }'}
`,
    // f32 sine is reduced and evaluated by polynomial (~1e-7): the builtin may be 2^-11 off (SwiftShader's is), which
    // a SIREN's later layers amplify; f16 arithmetic is coarser than either.
    ...(t === 'f32' ? { requires: [sincosReduced] } : {}),
  };
}
