/**
 * What every GEMM kernel shares: the uniform block (sizes, split-K, the strides of A, B, Y and of each
 * input read at the output coordinates, and the batch table), the per-batch offsets, and `finish`,
 * which turns an accumulator into the stored value: alpha·acc (+ beta·C for Gemm), then the fused
 * epilogue program (ops/elementwise formulas, see passes/fuse-gemm-epilogue.ts). Shapes and strides
 * are all uniforms, so one pipeline serves every size of a configuration.
 */
import type { WgslBinding, WgslModule } from '../../gpu/wgsl.js';
import type { ElemType } from '../../ir/types.js';
import { storageType } from '../../ir/types.js';
import { ewHelpers } from '../elementwise/formula.js';
import { UniformWriter, type KernelArg } from '../types.js';
import type { GemmProblem } from './gemm-layout.js';

export const MAX_BATCH_DIMS = 8;

/** Where the operands come from and what `finish` applies. */
export interface GemmIo {
  a: number; b: number;
  /** Inputs read at the output coordinates, in `p.ext` order: Gemm's C first when `hasC`. */
  ext: { input: number; dtype: ElemType }[];
  hasC: boolean;
  alpha: number; beta: number;
  /** `fn ew_f(x0: f32, x1: …) -> f32` over the accumulator and the epilogue inputs (after C), or null. */
  epilogue: string | null;
}

/** Cache-key fragment of everything `finish` compiles in. */
export function ioKey(io: GemmIo): string {
  return `e${io.ext.map((e) => storageType(e.dtype)).join(',')}|c${io.hasC ? 1 : 0}|${io.epilogue ?? ''}`;
}

export function gemmUniforms(p: GemmProblem, kSplit: number, nSplit: number, io: GemmIo): ArrayBuffer {
  const nz = p.batch.reduce((a, b) => a * b, 1);
  const ne = Math.max(1, p.ext.length);
  const w = new UniformWriter()
    .u32(p.M, p.N, p.K, p.batch.length)
    .u32(kSplit, nSplit, nz, nz * p.M * p.N)
    .f32(io.alpha, io.beta).u32(0, 0)
    .u32Array([p.a.r, p.a.c, p.a.off], 1).u32Array([p.b.r, p.b.c, p.b.off], 1).u32Array([p.y.r, p.y.c, p.y.off], 1);
  for (let e = 0; e < ne; e++) { const x = p.ext[e]; w.u32Array(x ? [x.r, x.c, x.off] : [], 1); }
  w.u32Array(p.batch, 2);
  for (const o of [p.a, p.b, p.y]) w.u32Array(o.batch, 2);
  for (let e = 0; e < ne; e++) w.u32Array(p.ext[e]?.batch ?? [], 2);
  return w.finish();
}

/** Params struct, batch offsets (oA, oB, oY, oE[e]) and `finish(acc, m, n)`. */
export function commonWgsl(io: GemmIo): string {
  const ne = Math.max(1, io.ext.length);
  const ext = io.ext.map((_, e) => `    oE[${e}] += c * P.bs[${2 * (3 + e)} + q][r];`).join('\n');
  const at = (e: number) => `E${e}[oE[${e}] + m * P.se[${e}].x + n * P.se[${e}].y]`;
  const cTerm = io.hasC ? `  v += P.beta * ${at(0)};\n` : '';
  const progArgs = io.ext.map((_, e) => e).filter((e) => !io.hasC || e > 0).map(at);
  const prog = io.epilogue ? `  v = ew_f(${['v', ...progArgs].join(', ')});\n` : '';
  return `struct Params {
  M: u32, N: u32, K: u32, nb: u32,
  kSplit: u32, nSplit: u32, nz: u32, total: u32,
  alpha: f32, beta: f32, q0: u32, q1: u32,
  sa: vec4<u32>, sb: vec4<u32>, sy: vec4<u32>,
  se: array<vec4<u32>, ${ne}>,
  bdims: array<vec4<u32>, 2>,
  bs: array<vec4<u32>, ${2 * (3 + ne)}>,
}
var<private> oA: u32;
var<private> oB: u32;
var<private> oY: u32;
var<private> oE: array<u32, ${ne}>;
// Element offsets of GEMM z in every operand (strides are u32: negative view strides wrap mod 2^32).
fn batch_init(z: u32) {
  oA = P.sa.z; oB = P.sb.z; oY = P.sy.z;
${io.ext.map((_, e) => `  oE[${e}] = P.se[${e}].z;`).join('\n')}
  var rem = z;
  for (var d = i32(P.nb) - 1; d >= 0; d--) {
    let q = u32(d) / 4u; let r = u32(d) % 4u;
    let size = P.bdims[q][r];
    let c = rem % size; rem = rem / size;
    oA += c * P.bs[q][r]; oB += c * P.bs[2u + q][r]; oY += c * P.bs[4u + q][r];
${ext}
  }
}
fn finish(acc: f32, m: u32, n: u32) -> f32 {
  var v = P.alpha * acc;
${cTerm}${prog}  return v;
}
${io.epilogue ?? ''}`;
}

/** Bindings and args of the inputs read at the output (E0…), in `p.ext` order. */
export function extBindings(io: GemmIo): { b: WgslBinding[]; args: KernelArg[] } {
  return {
    b: io.ext.map((e, k) => ({ name: `E${k}`, kind: 'read' as const, type: `array<${storageType(e.dtype)}>` })),
    args: io.ext.map((e) => ({ input: e.input })),
  };
}

export const gemmModules: WgslModule[] = [ewHelpers];
