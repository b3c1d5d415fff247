/**
 * Fused epilogues: a kernel that produces a value (Conv, ConvTranspose) applies
 * `act(v + residual)` before its store, so the fusion pass can delete the Add/activation nodes.
 * The pass records it in attributes that ONNX never uses (`wgml_act`, `wgml_act_params`,
 * `wgml_residual`); with `wgml_residual = 1` the node's last input is the residual, read at the
 * same index as the output element.
 */
import type { Attrs } from '../ir/attrs.js';
import type { Node } from '../ir/types.js';
import type { EpilogueActivation } from '../passes/op-facts.js';
import type { WgslModule } from '../gpu/wgsl.js';
import { floatLit } from '../gpu/wgsl-literal.js';
import { activations, divRn } from './wgsl-common.js';
import { roundHalfEven } from './quant/common.js';

export const ACTIVATIONS = ['relu', 'leakyrelu', 'clip', 'sigmoid', 'hardsigmoid', 'hardswish', 'silu', 'tanh', 'gelu', 'quantdequant'] as const;
export type ActKind = typeof ACTIVATIONS[number];

export interface Epilogue {
  act: ActKind | null;
  /** clip: [min, max]; leakyrelu: [alpha]; hardsigmoid: [alpha, beta]. */
  params: number[];
  residual: boolean;
}

export const NO_EPILOGUE: Epilogue = { act: null, params: [], residual: false };

/**
 * For OpDef.epilogueActivation: an attribute as the node stores it, unrounded (the fusion pass writes
 * it into `wgml_act_params`, whose printed value is part of the kernel's WGSL).
 */
export function rawAttr(n: Node, name: string, dflt: number): number {
  return (n.attrs[name]?.value as number | undefined) ?? dflt;
}

/** For OpDef.epilogueActivation: an activation without parameters. */
export const plainActivation = (act: ActKind) => (): EpilogueActivation => ({ act, params: [] });

export function parseEpilogue(a: Attrs): Epilogue {
  const act = a.string('wgml_act', '');
  if (act && !(ACTIVATIONS as readonly string[]).includes(act)) throw a.error(`unknown fused activation '${act}'`, 'this .wgml package was written by a newer wgml');
  return { act: (act || null) as ActKind | null, params: a.floats('wgml_act_params', []), residual: a.int('wgml_residual', 0) === 1 };
}

/** A cache-key fragment: equal fragments mean equal epilogue WGSL. */
export function epilogueKey(e: Epilogue): string {
  return `${e.act ?? 'none'}(${e.params.join(',')})${e.residual ? '+r' : ''}`;
}

/**
 * Each activation once: its WGSL (over the expression `v`, helpers from wgsl-common.ts `activations`)
 * beside its CPU reference. Conv epilogues and recurrent cells (linalg/rnn-*.ts) both read it.
 */
const ACTIVATION_FORMULAS: Record<ActKind, { wgsl(p: number[], v: string): string; cpu(p: number[], x: number): number }> = {
  relu: { wgsl: (_p, v) => `max(${v}, 0.0)`, cpu: (_p, x) => Math.max(x, 0) },
  leakyrelu: { wgsl: (p, v) => `select(${floatLit(p[0] ?? 0.01)} * ${v}, ${v}, ${v} >= 0.0)`, cpu: (p, x) => (x >= 0 ? x : (p[0] ?? 0.01) * x) },
  clip: { wgsl: (p, v) => `clamp(${v}, ${floatLit(p[0] ?? -Infinity)}, ${floatLit(p[1] ?? Infinity)})`, cpu: (p, x) => Math.min(Math.max(x, p[0] ?? -Infinity), p[1] ?? Infinity) },
  sigmoid: { wgsl: (_p, v) => `act_sigmoid(${v})`, cpu: (_p, x) => 1 / (1 + Math.exp(-x)) },
  hardsigmoid: { wgsl: (p, v) => `act_hardsigmoid(${v}, ${floatLit(p[0] ?? 0.2)}, ${floatLit(p[1] ?? 0.5)})`, cpu: (p, x) => Math.min(1, Math.max(0, (p[0] ?? 0.2) * x + (p[1] ?? 0.5))) },
  hardswish: { wgsl: (_p, v) => `act_hardswish(${v})`, cpu: (_p, x) => x * Math.min(1, Math.max(0, x / 6 + 0.5)) },
  silu: { wgsl: (_p, v) => `act_silu(${v})`, cpu: (_p, x) => x / (1 + Math.exp(-x)) },
  tanh: { wgsl: (_p, v) => `act_tanh(${v})`, cpu: (_p, x) => Math.tanh(x) },
  gelu: { wgsl: (_p, v) => `act_gelu(${v})`, cpu: (_p, x) => 0.5 * x * (1 + erf(x / Math.SQRT2)) },
  // a QDQ pair (ops/quant/quant-dequant.ts): [scale, zero point, lo, hi]
  quantdequant: { wgsl: (p, v) => quantDequantWgsl(v, p[0]!, p[1]!, p[2]!, p[3]!), cpu: (p, x) => quantDequantCpu(x, p[0]!, p[1]!, p[2]!, p[3]!) },
};

/** DequantizeLinear(QuantizeLinear(v)) per tensor, in the two ops' f32 steps (the division rounded as IEEE rounds it). */
export const quantDequantWgsl = (v: string, scale: number, zero: number, lo: number, hi: number): string =>
  `((clamp(round(div_rn(${v}, ${floatLit(scale)})) + ${floatLit(zero)}, ${floatLit(lo)}, ${floatLit(hi)}) - ${floatLit(zero)}) * ${floatLit(scale)})`;

/** The CPU side of quantDequantWgsl. */
export function quantDequantCpu(x: number, scale: number, zero: number, lo: number, hi: number): number {
  return Math.fround((Math.min(hi, Math.max(lo, roundHalfEven(Math.fround(x / scale)) + zero)) - zero) * scale);
}

/** WGSL expression of the activation of `v`. */
export function activationExpr(act: ActKind | null, p: number[], v: string): string {
  return act === null ? v : ACTIVATION_FORMULAS[act].wgsl(p, v);
}

/** `fn epilogue(v: f32, r: f32) -> f32`: pass r = 0 when there is no residual. */
export function epilogueModule(e: Epilogue): WgslModule {
  const v = e.residual ? '(v + r)' : 'v';
  return {
    name: `epilogue_${epilogueKey(e)}`,
    // the quantization activation divides as IEEE does (as QuantizeLinear)
    requires: e.act === 'quantdequant' ? [activations, divRn] : [activations],
    code: `fn epilogue(v: f32, r: f32) -> f32 { let x = ${v}; return ${activationExpr(e.act, e.params, 'x')}; }`,
  };
}

/** CPU reference of an activation (for op references and fused-node references). */
export function activationRef(act: ActKind | null, p: number[], x: number): number {
  return act === null ? x : ACTIVATION_FORMULAS[act].cpu(p, x);
}

/** erf to ~1e-7 (Abramowitz–Stegun 7.1.26 refined), for CPU references. */
export function erf(x: number): number {
  // Series for small |x|, continued-fraction-free Numerical Recipes erfc approximation otherwise.
  const a = Math.abs(x);
  const t = 1 / (1 + 0.5 * a);
  const y = 1 - t * Math.exp(-a * a - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? y : -y;
}

/** Apply the epilogue on the CPU: out[i] = act(out[i] + residual[i]). */
export function applyEpilogueRef(e: Epilogue, out: Float32Array, residual: ArrayLike<number> | null): void {
  for (let i = 0; i < out.length; i++) out[i] = activationRef(e.act, e.params, out[i]! + (e.residual && residual ? residual[i]! : 0));
}
