/**
 * The fused epilogue of MatMul and Gemm (`wgml_epilogue`, written by passes/fuse-gemm-epilogue.ts): a
 * wgml.FusedElementwise program whose input 0 is the GEMM result and whose other inputs are the node's
 * inputs after its own (MatMul: from 2, Gemm: from 3), each broadcast to the output shape. The program
 * is evaluated by the elementwise formulas (ops/elementwise/fused.ts) on the GPU and the CPU alike, so
 * a fused node computes exactly what the unfused chain did. Also parses `wgml_gemm`, a forced kernel
 * choice for tests and the bench.
 */
import type { Attrs } from '../../ir/attrs.js';
import type { HostTensor, ValueType } from '../../ir/types.js';
import { fmtShape } from '../../ir/types.js';
import { evalFusedProgram, fusedProgramWgsl, parseFusedProgram, type FusedParams } from '../elementwise/fused.js';
import type { Fail } from '../elementwise/formula.js';
import type { InferContext } from '../types.js';
import { parseChoice, type GemmChoice } from './gemm-select.js';

/** Most epilogue inputs a fused MatMul/Gemm reads (storage buffers: A, B, C, these, Y). */
export const MAX_EPILOGUE_INPUTS = 8;

export interface GemmAttrs { epi: FusedParams | null; force: GemmChoice | null }

export function parseGemmAttrs(a: Attrs): GemmAttrs {
  for (const k of ['wgml_act', 'wgml_residual'])
    if (a.has(k)) throw a.error(`${a.node.opType} no longer reads '${k}'`, 'MatMul/Gemm epilogues are wgml_epilogue programs (passes/fuse-gemm-epilogue.ts); re-run the passes on the ONNX model');
  const epi = a.has('wgml_epilogue') ? parseFusedProgram(a, 'wgml_epilogue') : null;
  const f = a.string('wgml_gemm', '');
  const force = f ? parseChoice(f) : null;
  if (f && !force) throw a.error(`unknown GEMM kernel '${f}' in wgml_gemm`, 'use a tile name of gemm-select.ts (e.g. t64x64, t32x64/s4) or gemv_n / gemv_k');
  return { epi, force };
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
