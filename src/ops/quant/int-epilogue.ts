/**
 * The fused epilogue of MatMulInteger (`wgml_epilogue`, written by passes/fuse-gemm-epilogue.ts): a
 * wgml.FusedElementwise program whose input 0 is the i32 product and whose other inputs are the node's
 * inputs after its own four (A, B, a_zero_point, b_zero_point), each broadcast to the output shape: in
 * practice the Cast to float, the multiply by A_scale·B_scale (→ bias → GELU) that onnxruntime's dynamic
 * quantization writes after every MatMulInteger, so the product is stored once, finished, as float.
 * The program is the elementwise formulas' (ops/elementwise/fused.ts), on the GPU and the CPU alike.
 */
import type { Attrs } from '../../ir/attrs.js';
import type { BufferDecl, ParamField, ParamValues } from '../../gpu/signature.js';
import { shapeSize, storageType, type ElemType, type HostTensor } from '../../ir/types.js';
import { evalFusedProgram, fusedProgramWgsl, parseFusedProgram, type FusedParams } from '../elementwise/fused.js';
import { ewHelpers } from '../elementwise/formula.js';
import type { InferContext, KernelArg } from '../types.js';

export const OWN_INPUTS = 4;
const MAX_RANK = 8;

export interface IntEpilogue { fp: FusedParams; extras: number[] }

export const parseIntEpilogue = (a: Attrs): FusedParams | null => (a.has('wgml_epilogue') ? parseFusedProgram(a, 'wgml_epilogue') : null);

/** The epilogue of a node (null without one); refuses inputs after the own four that no epilogue reads. */
export function intEpilogue(ctx: InferContext, fp: FusedParams | null, out: number[]): IntEpilogue | null {
  const extras = ctx.inputs.slice(OWN_INPUTS).map((_, k) => OWN_INPUTS + k);
  if (!fp) {
    if (extras.some((i) => ctx.inputs[i])) throw ctx.error(`MatMulInteger takes at most 4 inputs, got ${ctx.inputs.length}`, 'more inputs are read only by a wgml fused epilogue (wgml_epilogue)', { inputs: ctx.inputs.length });
    return null;
  }
  if (fp.program.inputs !== 1 + extras.length) throw ctx.error(`the fused epilogue reads ${fp.program.inputs - 1} inputs, the node has ${extras.length} after its own`, 'this is a bug in the fusion pass', { internal: true });
  if (out.length > MAX_RANK) throw ctx.error(`output rank ${out.length}`, `a fused MatMulInteger writes at most rank ${MAX_RANK}`);
  for (const i of extras) {
    const s = ctx.inputs[i]?.shape;
    if (!s || s.length > out.length || !s.every((d, k) => d === 1 || d === out[out.length - s.length + k]))
      throw ctx.error(`epilogue input ${i} [${s?.join(', ') ?? ''}] does not broadcast to the output [${out.join(', ')}]`, 'this is a bug in the fusion pass', { internal: true });
  }
  return { fp, extras };
}

/** dtype the epilogue leaves (its last step's). */
export function epilogueType(ctx: InferContext, e: IntEpilogue, out: number[]): ElemType {
  const { built } = fusedProgramWgsl(e.fp, [{ dtype: 'int32', shape: out }, ...e.extras.map((i) => ctx.inputs[i]!)], ctx.error);
  return built.dtypes[built.dtypes.length - 1]!;
}

export function epilogueBuffers(ctx: InferContext, e: IntEpilogue, outType: ElemType): BufferDecl[] {
  return [...e.extras.map((i, k) => ({ name: `E${k}`, elem: storageType(ctx.inputs[i]!.dtype) })), { name: 'Y', elem: storageType(outType), writes: true }];
}

export const epilogueArgs = (e: IntEpilogue): KernelArg[] => [...e.extras.map((i) => ({ input: i })), { output: 0 }];

/** Parameters: the output dims and, per extra input, its stride along each (0 where it broadcasts). */
export function epilogueParams(e: IntEpilogue): Record<string, ParamField> {
  return { od: ['u32', MAX_RANK], es: ['u32', MAX_RANK * Math.max(1, e.extras.length)] };
}

export function epilogueParamValues(ctx: InferContext, e: IntEpilogue, out: number[]): ParamValues {
  const es = e.extras.flatMap((i) => {
    const s = ctx.inputs[i]!.shape, lead = out.length - s.length;
    const dense = s.map((_, k) => shapeSize(s.slice(k + 1)));
    return out.map((_, d) => (d < lead || s[d - lead] === 1 ? 0 : dense[d - lead]!));
  });
  return { od: out, es: es.length ? es : [0] };
}

const at = (arr: string, i: number) => `P.${arr}[${i >> 2}][${i & 3}]`;

/** `fn epi_store(P, i, acc)` (and `ew_f`): output i's extras by broadcasting, then the program, stored. */
export function epilogueWgsl(ctx: InferContext, e: IntEpilogue, out: number[]): string {
  const { code } = fusedProgramWgsl(e.fp, [{ dtype: 'int32', shape: out }, ...e.extras.map((i) => ctx.inputs[i]!)], ctx.error);
  const r = out.length, ne = e.extras.length;
  const walk = Array.from({ length: r }, (_, k) => r - 1 - k).map((d) =>
    `  { let c = rem % ${at('od', d)}; rem = rem / ${at('od', d)};${e.extras.map((_, x) => ` o${x} += c * ${at('es', x * r + d)};`).join('')} }`).join('\n');
  return `${code}
fn epi_store(P: Params, i: u32, acc: i32) {
  var rem = i;
${e.extras.map((_, x) => `  var o${x} = 0u;`).join('\n')}
${walk}
  Y_st(i, ew_f(${['acc', ...Array.from({ length: ne }, (_, x) => `E${x}_ld(o${x})`)].join(', ')}));
}`;
}

export const epilogueModules = [ewHelpers];

/** CPU: the program over the exact product and the extras. */
export function epilogueCpu(ctx: InferContext, e: IntEpilogue, acc: HostTensor, inputs: (HostTensor | null)[]): HostTensor {
  return evalFusedProgram(e.fp, [acc, ...e.extras.map((i) => inputs[i]!)], ctx.error);
}
