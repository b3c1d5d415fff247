/**
 * What every GEMM kernel shares, as a declared signature (gpu/signature.ts): the parameters (sizes,
 * split-K, the strides of A, B, Y and of each input read at the output coordinates, the batch table),
 * the per-batch offsets, and `finish`, which turns an accumulator into the stored value: alpha·acc
 * (+ beta·C for Gemm), then the fused epilogue program (ops/elementwise formulas, see
 * passes/fuse-gemm-epilogue.ts). Shapes and strides are parameters, so one pipeline serves every size
 * of a configuration; only the number of batch dims left after normalization (almost always 0) and
 * of epilogue inputs are compiled in, so the batch walk is unrolled with constant indices and no code
 * indexes the parameters dynamically (in shared recording they are a private copy, see
 * DEVELOPERS.md, which a dynamic index would push to local memory).
 */
import type { BufferDecl, ParamField, ParamValues } from '../../gpu/signature.js';
import type { WgslModule } from '../../gpu/wgsl.js';
import type { ElemType } from '../../ir/types.js';
import { storageType } from '../../ir/types.js';
import { ewHelpers } from '../elementwise/formula.js';
import type { KernelArg } from '../types.js';
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

/** The same io without anything `finish` reads: kernels that write raw partial sums. */
export const rawIo = (io: GemmIo): GemmIo => ({ ...io, ext: [], hasC: false, epilogue: null });

/** Cache-key fragment of everything `finish` compiles in. */
export function ioKey(io: GemmIo): string {
  return `e${io.ext.map((e) => storageType(e.dtype)).join(',')}|c${io.hasC ? 1 : 0}|${io.epilogue ?? ''}`;
}

/** Parameter fields of a GEMM kernel with `nb` batch dims and `ne` inputs read at the output. */
export function gemmParams(nb: number, ne: number): Record<string, ParamField> {
  return {
    M: 'u32', N: 'u32', K: 'u32', kSplit: 'u32', nSplit: 'u32', total: 'u32', alpha: 'f32', beta: 'f32',
    // (row stride, column stride, offset) of A, B, Y and each epilogue input
    sa: ['u32', 3], sb: ['u32', 3], sy: ['u32', 3],
    ...(ne ? { se: ['u32', 4 * ne] } : {}),
    // batch dims and, per operand (A, B, Y, E0…), its stride along each
    ...(nb ? { bdims: ['u32', nb], bst: ['u32', (3 + ne) * nb] } : {}),
  };
}

export function gemmParamValues(p: GemmProblem, kSplit: number, nSplit: number, io: GemmIo): ParamValues {
  const nz = p.batch.reduce((a, b) => a * b, 1);
  const ne = io.ext.length;
  const ops = [p.a, p.b, p.y, ...p.ext.slice(0, ne)];
  return {
    M: p.M, N: p.N, K: p.K, kSplit, nSplit, total: nz * p.M * p.N, alpha: io.alpha, beta: io.beta,
    sa: [p.a.r, p.a.c, p.a.off], sb: [p.b.r, p.b.c, p.b.off], sy: [p.y.r, p.y.c, p.y.off],
    ...(ne ? { se: p.ext.slice(0, ne).flatMap((x) => [x.r, x.c, x.off, 0]) } : {}),
    ...(p.batch.length ? { bdims: p.batch, bst: ops.flatMap((o) => o.batch) } : {}),
  };
}

/** `P.<arr>` element i with constant indices. */
const at = (arr: string, i: number) => `P.${arr}[${i >> 2}][${i & 3}]`;

/**
 * Statements (inside main, after `let P = wgml_init();`) that declare the element offsets oA, oB, oY,
 * oE0… of GEMM `z` (a u32 expression). Strides are u32: negative view strides wrap mod 2^32.
 */
export function batchOffsets(nb: number, ne: number, z: string): string {
  const names = ['oA', 'oB', 'oY', ...Array.from({ length: ne }, (_, e) => `oE${e}`)];
  const base = ['P.sa[0].z', 'P.sb[0].z', 'P.sy[0].z', ...Array.from({ length: ne }, (_, e) => `P.se[${e}].z`)];
  const lines = names.map((n, k) => `var ${n} = ${base[k]};`);
  if (nb) lines.push(`var rem = ${z};`);
  for (let d = nb - 1; d >= 0; d--) {
    lines.push(`{ let size = ${at('bdims', d)}; let c = rem % size; rem = rem / size;${names.map((n, k) => ` ${n} += c * ${at('bst', k * nb + d)};`).join('')} }`);
  }
  return lines.join('\n  ');
}

/** Buffer declarations of the inputs read at the output (E0…), in `p.ext` order, and their args. */
export function extBuffers(io: GemmIo): { buffers: BufferDecl[]; args: KernelArg[] } {
  return {
    buffers: io.ext.map((e, k) => ({ name: `E${k}`, elem: storageType(e.dtype) })),
    args: io.ext.map((e) => ({ input: e.input })),
  };
}

/** `finish(P, acc, m, n, oE0, …)`: the call, given the accumulator and coordinates. */
export function finishCall(io: GemmIo, acc: string, m: string, n: string): string {
  return `finish(P, ${acc}, ${m}, ${n}${io.ext.map((_, e) => `, oE${e}`).join('')})`;
}

/**
 * `fn finish(P, acc, m, n, oE0…) -> f32`: alpha·acc, + beta·C, then the epilogue program. P comes in as
 * an argument (main's uniform copy) rather than from module scope.
 */
export function finishWgsl(io: GemmIo): string {
  const read = (e: number) => `E${e}_ld(oe${e} + m * P.se[${e}].x + n * P.se[${e}].y)`;
  const cTerm = io.hasC ? `  v += P.beta * ${read(0)};\n` : '';
  const progArgs = io.ext.map((_, e) => e).filter((e) => !io.hasC || e > 0).map(read);
  const prog = io.epilogue ? `  v = ew_f(${['v', ...progArgs].join(', ')});\n` : '';
  return `${io.epilogue ?? ''}
fn finish(P: Params, acc: f32, m: u32, n: u32${io.ext.map((_, e) => `, oe${e}: u32`).join('')}) -> f32 {
  var v = P.alpha * acc;
${cTerm}${prog}  return v;
}`;
}

/** WGSL modules `finish` needs: the elementwise helpers when there is an epilogue program (they are long; lavapipe compiles every line). */
export const gemmModules = (io: GemmIo): WgslModule[] => (io.epilogue ? [ewHelpers] : []);
