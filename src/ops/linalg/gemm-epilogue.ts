/**
 * The fused epilogue of MatMul and Gemm (`wgml_epilogue`, written by passes/fuse-gemm-epilogue.ts): a
 * wgml.FusedElementwise program whose input 0 is the GEMM result and whose other inputs are the node's
 * inputs after its own (MatMul: from 2, Gemm: from 3), each broadcast to the output shape. The program
 * is evaluated by the elementwise formulas (ops/elementwise/fused.ts) on the GPU and the CPU alike, so
 * a fused node computes exactly what the unfused chain did.
 * A LayerNormalization over the rows of the result may follow (`wgml_layernorm`: its epsilon): its Scale
 * and B are the two inputs after the epilogue's (B may be ''), its result is output 1, while output 0
 * stays the finished product (the residual stream of a pre-norm transformer reads it).
 * Also parses `wgml_gemm`, a forced kernel choice for tests and the bench.
 */
import type { Attrs } from '../../ir/attrs.js';
import type { HostTensor, ValueType } from '../../ir/types.js';
import { fmtShape, hostTensor } from '../../ir/types.js';
import { evalFusedProgram, fusedProgramWgsl, parseFusedProgram, type FusedParams } from '../elementwise/fused.js';
import type { Fail } from '../elementwise/formula.js';
import type { InferContext } from '../types.js';
import { parseChoice, type GemmChoice } from './gemm-select.js';

/** Most epilogue inputs a fused MatMul/Gemm reads (storage buffers: A, B, C, these, Y). */
export const MAX_EPILOGUE_INPUTS = 8;

export interface GemmAttrs { epi: FusedParams | null; force: GemmChoice | null; lnEps: number | null }

export function parseGemmAttrs(a: Attrs): GemmAttrs {
  for (const k of ['wgml_act', 'wgml_residual'])
    if (a.has(k)) throw a.error(`${a.node.opType} no longer reads '${k}'`, 'MatMul/Gemm epilogues are wgml_epilogue programs (passes/fuse-gemm-epilogue.ts); re-run the passes on the ONNX model');
  const epi = a.has('wgml_epilogue') ? parseFusedProgram(a, 'wgml_epilogue') : null;
  const f = a.string('wgml_gemm', '');
  const force = f ? parseChoice(f) : null;
  if (f && !force) throw a.error(`unknown GEMM kernel '${f}' in wgml_gemm`, 'use a tile name of gemm-select.ts (e.g. t64x64, t32x64/s4) or gemv_n / gemv_k');
  const lnEps = a.has('wgml_layernorm') ? a.float('wgml_layernorm', 0) : null;
  if (lnEps !== null && (!Number.isFinite(lnEps) || lnEps < 0)) throw a.error(`wgml_layernorm epsilon ${lnEps} is not a finite non-negative number`, 'this attribute is written by passes/fuse-gemm-epilogue.ts');
  return { epi, force, lnEps };
}

/** The node's inputs after its own `own`: the epilogue's, then the fused LayerNorm's Scale and B (indices). */
export function gemmExtras(ctx: InferContext, at: GemmAttrs, own: number): { extras: (ValueType | null)[]; norm: { scale: number; bias: number | null } | null } {
  const rest = ctx.inputs.slice(own);
  if (at.lnEps === null) return { extras: rest, norm: null };
  const nEpi = at.epi ? at.epi.program.inputs - 1 : 0;
  const scale = own + nEpi;
  if (rest.length < nEpi + 1 || rest.length > nEpi + 2 || !ctx.inputs[scale]) throw ctx.error(`wgml_layernorm needs Scale (and optionally B) after the ${nEpi} epilogue inputs, the node has ${rest.length} inputs after its own`, 'this is a bug in the fusion pass', { internal: true });
  if (ctx.node.outputs.length !== 2) throw ctx.error('a MatMul/Gemm with a fused LayerNorm has two outputs (the product, the normalized product)', 'this is a bug in the fusion pass', { internal: true });
  return { extras: rest.slice(0, nEpi), norm: { scale, bias: ctx.inputs[scale + 1] ? scale + 1 : null } };
}

/** Types of a fused node: the product, and when a LayerNorm follows, its output of the same type (Scale/B must be [N] rows). */
export function gemmOutputTypes(ctx: InferContext, y: ValueType, norm: { scale: number; bias: number | null } | null): ValueType[] {
  if (!norm) return [y];
  const N = y.shape[y.shape.length - 1] ?? 1;
  for (const i of [norm.scale, norm.bias]) {
    const t = i === null ? null : ctx.inputs[i]!;
    if (t && (t.dtype !== y.dtype || t.shape.reduce((a, b) => a * b, 1) !== N || t.shape[t.shape.length - 1] !== N))
      throw ctx.error(`the fused LayerNorm's ${i === norm.scale ? 'Scale' : 'B'} ${fmtShape(t.shape)} does not match rows of ${N}`, 'this is a bug in the fusion pass', { internal: true });
  }
  return [y, { dtype: y.dtype, shape: [...y.shape] }];
}

/** CPU: LayerNorm over the last dim of y (two-pass mean and variance, as the kernels). */
export function applyRowNorm(y: HostTensor, scale: HostTensor, bias: HostTensor | null, eps: number): HostTensor {
  const N = y.shape[y.shape.length - 1] ?? 1;
  const z = hostTensor(y.dtype, y.shape);
  for (let o = 0; o < y.data.length; o += N) {
    let s = 0, q = 0;
    for (let n = 0; n < N; n++) s += y.data[o + n]!;
    const mean = s / N;
    for (let n = 0; n < N; n++) q += (y.data[o + n]! - mean) ** 2;
    const inv = 1 / Math.sqrt(q / N + eps);
    for (let n = 0; n < N; n++) z.data[o + n] = (y.data[o + n]! - mean) * inv * scale.data[n]! + (bias ? bias.data[n]! : 0);
  }
  return z;
}

/** Inputs after the op's own exist only for an epilogue: refuse them otherwise (fuzzed or hand-made nodes). */
function noExtras(ctx: InferContext, extras: unknown[]): void {
  if (!extras.some(Boolean)) return;
  const n = ctx.node.inputs.length, own = n - extras.length;
  throw ctx.error(`${ctx.node.opType} takes at most ${own} inputs, got ${n}`, `see https://onnx.ai/onnx/operators/onnx__${ctx.node.opType}.html; more inputs are read only by a wgml fused epilogue (wgml_epilogue)`, { inputs: n });
}

/** The node's output type: the GEMM's, or the epilogue's, which must keep the GEMM's dtype and shape. */
export function epilogueType(ctx: InferContext, epi: FusedParams | null, gemm: ValueType, extras: (ValueType | null)[]): ValueType {
  if (!epi) { noExtras(ctx, extras); return gemm; }
  if (epi.program.inputs !== 1 + extras.length) throw ctx.error(`wgml_epilogue reads ${epi.program.inputs - 1} inputs, the node has ${extras.length}`, 'this is a bug in the fusion pass', { internal: true });
  const fail: Fail = (m, h, d) => ctx.error(`epilogue: ${m}`, h, d);
  const t = fusedProgramWgsl(epi, [gemm, ...extras], fail).built;
  const out = t.dtypes[t.dtypes.length - 1]!;
  if (out !== gemm.dtype || fmtShape(t.shape) !== fmtShape(gemm.shape))
    throw ctx.error(`the epilogue turns the ${gemm.dtype} ${fmtShape(gemm.shape)} product into ${out} ${fmtShape(t.shape)}`, 'a fused epilogue must keep the GEMM output\'s dtype and shape', { internal: true });
  return gemm;
}

/** CPU: apply the epilogue to the GEMM result (reference and debugger). */
export function applyEpilogue(ctx: InferContext, epi: FusedParams | null, y: HostTensor, extras: (HostTensor | null)[]): HostTensor {
  if (!epi) { noExtras(ctx, extras); return y; }
  return evalFusedProgram(epi, [y, ...extras], (m, h, d) => ctx.error(`epilogue: ${m}`, h, d));
}

/** WGSL `ew_f` of the epilogue for these input types, or null. */
export function epilogueWgsl(ctx: InferContext, epi: FusedParams | null, gemm: ValueType, extras: ValueType[]): string | null {
  if (!epi) return null;
  return fusedProgramWgsl(epi, [gemm, ...extras], (m, h, d) => ctx.error(`epilogue: ${m}`, h, d)).code;
}
