/**
 * The tiled body of the integer GEMM behind MatMulInteger and QLinearMatMul, for problems with enough
 * rows to fill a tile (the per-output kernel in matmul-integer.ts reads a B column per thread, which only
 * coalesces when M is small). A 16×16 workgroup computes a 64×64 tile of outputs, 4×4 per thread, over
 * K slices of 32 (or 16: IntTileShape) staged in workgroup memory four k to a u32 word, so one `dot4U8Packed`
 * (DP4A on NVIDIA, where it ran 4.3× the same four multiply-adds written out: bench/quant/dot4-rate.mjs on an H200;
 * SDOT/UDOT on ARM) does four multiply-adds: 16 of them and 8 workgroup reads per thread per 4 k, where i32
 * arithmetic took 64 multiply-adds and 32 reads. The next slice's global loads are issued before this slice's
 * dot products, and A's four k come in one vec4 load where its rows allow. Operands are made unsigned by an offset (int8 v → v + 128)
 * folded into the zero points, and the zero points come out after the loop:
 *   Σ (a − za)(b − zb) = Σ a·b − zb·Σ a − za·Σ b + K·za·zb   (a, b, za, zb in the offset domain),
 * with the row sums Σ a and column sums Σ b accumulated by the threads that stage them. Sums wrap mod 2^32,
 * so the result is exact wherever the true i32 sum is, as the spec asks. Batches (numpy broadcasting) go along
 * the grid's z. The store is the caller's: plain i32, requantized, or a fused float epilogue.
 */
import type { BufferDecl } from '../../gpu/signature.js';
import { GEMM_TABLE, splitsFor } from '../linalg/gemm-select.js';

export const TILE = 64;

/**
 * Statements declaring `ao`, `bo`: the offsets into A and B of batch `z` (numpy broadcasting by strides).
 * Unsigned, through the accessors, as the elementwise walk that an H200 miscomputed was rewritten (bench/RESULTS.md).
 */
export function batchWalk(z: string): string {
  return `  var rem = ${z};
  var ao = 0u; var bo = 0u;
  for (var d = P.rank; d > 0u; d--) {
    let k = d - 1u;
    let e = P_batch(k);
    let q = rem % e; rem = rem / e;
    ao += q * P_astr(k); bo += q * P_bstr(k);
  }`;
}

/**
 * An 8-bit operand: its raw value at (k, column or row) as i32, and whether it is int8 (offset by 128). `load4`, where
 * the operand is one value a word with k contiguous and K a multiple of 4: values k..k+3 (k a multiple of 4) as a
 * vec4<i32> in one load, which the 'v4' tile variants use.
 */
export interface Int8Operand {
  load: (k: string, x: string) => string; signed: boolean; load4?: (k: string, x: string) => string;
  /** B only, where it is packed four columns to a u32 word (row-major [K][words]): word `cw` of row `k`, and the words a row has. */
  word?: (k: string, cw: string) => string; words?: string;
}

/** What intTileMain's caller says of the GEMM; defaults are MatMulInteger's. */
export interface IntTileOptions {
  a: Int8Operand; b: Int8Operand;
  /** Zero points (i32 WGSL) of row `m` of A and column `c` of B. */
  za: (m: string) => string; zb: (c: string) => string;
  /** Statements writing output `i` (row `m`, column `c`) from the i32 sum `acc`. */
  store: string;
  /** WGSL of the GEMM's rows, columns and depth (default P.M, P.N, P.K). */
  dims?: { M: string; N: string; K: string };
  /** The output index of (m, c) (default row-major per batch `bz`), and whether batches walk A and B by strides (batchWalk). */
  index?: string; batches?: boolean;
  /**
   * Split K over the grid's z (P.splits slices of P.ks, a multiple of the K step, per batch): `sp` names the
   * slice in `store`, which then writes a partial sum (exact: the zero-point terms are linear in K, so each
   * slice takes out its own share) for a reduce dispatch to add (splitReduceMain).
   */
  split?: boolean;
}

/** Statements declaring `bz` (the batch), `sp` (the K slice) and the slice's K range [kb, ke) for grid z `z`. */
export function splitWalk(split: boolean | undefined, z: string, K: string): string {
  return split ? `  let bz = ${z} / P.splits; let sp = ${z} % P.splits;
  let kb = min(sp * P.ks, ${K}); let ke = min(${K}, kb + P.ks);` : `  let bz = ${z}; let kb = 0u; let ke = ${K};`;
}

/**
 * A variant of the tile: its K step (16 or 32), whether the next step's global loads are issued before this step's
 * math, and whether A's four k of a word come in one vec4 load (where the operand offers `load4`).
 */
export interface IntTileShape { bk: 16 | 32; prefetch: boolean; vec4: boolean; /** packed B staged a word (four columns) at a time, transposed in registers */ packedB?: boolean }
/**
 * The defaults, from whole networks on an H200 (bench/RESULTS.md, call g of 2026-12-05: five variants, three rotating
 * rounds). MatMulInteger/QLinearMatMul: K steps of 32, prefetch, vec4 A and packed B (2.06 ms quantized BERT against
 * 2.21 for bk32pfv4 and 2.08 for bk16v4). ConvInteger/QLinearConv (no packed B there): K steps of 16 with vec4 A
 * (ResNet-18 QOperator 0.617 ms against 0.632 for K32), as the convolutions' K runs in smaller channel groups.
 */
export const DEFAULT_INT_TILE: IntTileShape = { bk: 32, prefetch: true, vec4: true, packedB: true };
export const DEFAULT_INT_CONV_TILE: IntTileShape = { bk: 16, prefetch: false, vec4: true };

/** Parse a forced variant ('bk32', 'bk16pf', 'bk32pfv4', …; the wgml_int_tile attribute of tests and benchmarks). */
export function parseIntTile(v: string | null): IntTileShape | null {
  const m = v?.match(/^bk(16|32)(pf)?(v4)?(pb)?$/);
  return m ? { bk: +m[1]! as 16 | 32, prefetch: !!m[2], vec4: !!m[3], packedB: !!m[4] } : null;
}

/** The variant's name in kernel keys ('bk16', 'bk32pfv4'). */
export const intTileName = (t: IntTileShape): string => `bk${t.bk}${t.prefetch ? 'pf' : ''}${t.vec4 ? 'v4' : ''}${t.packedB ? 'pb' : ''}`;

/**
 * WGSL entry point. `a.load(k, m)` / `b.load(k, c)` read A[m][k] / B[k][c] as i32 (int8 or uint8 values).
 */
export function intTileMain(o: IntTileOptions, shape: IntTileShape = DEFAULT_INT_TILE): string {
  const { a, b, za, zb, store } = o;
  const T = TILE, R = T / 16, Q = shape.bk / 4, W = Q / 4;
  // A as 64 rows × Q quads, B as Q quads × 64 columns; each of the 256 threads stages W words of each, word w being
  // index t + 256·w: A row idx / Q, quad idx % Q (slot quad·64 + row); B quad idx / 64, column idx % 64 (slot idx)
  const pack = (op: Int8Operand, v: (j: number) => string) => [0, 1, 2, 3].map((j) => `((u32(${v(j)}${op.signed ? ' + 128' : ''}) & 255u) << ${8 * j}u)`).join(' | ');
  const D = o.dims ?? { M: 'P.M', N: 'P.N', K: 'P.K' };
  // One operand's words for the step at `k0s` into its registers (regA, regB): four k of row/column x (zeros past K or the edge).
  const load = (op: Int8Operand, n: 'a' | 'b', k0s: string) => Array.from({ length: W }, (_, w) => {
    const x = `${n}x${w}`, k = `(${k0s} + 4u * ${n}q${w})`, bound = n === 'a' ? D.M : D.N;
    const full = shape.vec4 && op.load4
      ? `{ let q4 = ${op.load4(k, x)}; v = ${pack(op, (j) => `q4[${j}]`)}; }`
      : `{ v = ${pack(op, (j) => op.load(`(${k} + ${j}u)`, x))}; }`;
    return `{
      var v = 0u;
      if (${x} < ${bound} && ${k} + 3u < ke) ${full}
      else if (${x} < ${bound}) { for (var j = 0u; j < 4u; j++) { if (${k} + j < ke) { v |= (u32(${op.load(`(${k} + j)`, x)}${op.signed ? ' + 128' : ''}) & 255u) << (8u * j); } } }
      reg${n.toUpperCase()}[${w}] = v;
    }`;
  }).join('\n    ');
  // Packed B ('pb'): thread t < 16·Q loads rows 4·(t / 16)..+3 of word column t % 16 (four loads for four columns'
  // words) and transposes the 4×4 bytes in registers; the other threads stage no B.
  const pb = !!shape.packedB && !!b.word && !!b.words;
  const flipB = b.signed ? ' ^ 0x80808080u' : '';
  const loadB = (k0s: string) => (!pb ? load(b, 'b', k0s) : `if (t < ${16 * Q}u) {
      for (var r = 0u; r < 4u; r++) {
        let k = ${k0s} + 4u * (t / 16u) + r;
        // flipped here, so a padding word stays 0 in the offset domain (adds nothing to products or sums)
        regW[r] = select(0u, ${b.word!('k', 'bcw')}${flipB}, k < ke && bcw < ${b.words});
      }
    }`);
  const putB = !pb
    ? (w: number) => `Bs[t + ${256 * w}u] = regB[${w}]; bPart[${w}] += dot4U8Packed(regB[${w}], 0x01010101u);`
    : (w: number) => (w ? '' : `if (t < ${16 * Q}u) {
      let u0 = unpack4xU8(regW[0]); let u1 = unpack4xU8(regW[1]); let u2 = unpack4xU8(regW[2]); let u3 = unpack4xU8(regW[3]);
      for (var j = 0u; j < 4u; j++) {
        let cw = pack4xU8(vec4<u32>(u0[j], u1[j], u2[j], u3[j]));
        Bs[(t / 16u) * ${T}u + 4u * (t % 16u) + j] = cw;
        bP4[j] += dot4U8Packed(cw, 0x01010101u);
      }
    }`);
  const put = Array.from({ length: W }, (_, w) => `As[aq${w} * ${T}u + ar${w}] = regA[${w}]; aPart[${w}] += dot4U8Packed(regA[${w}], 0x01010101u);\n    ${putB(w)}`).join('\n    ');
  const coords = Array.from({ length: W }, (_, w) => `let ar${w} = (t + ${256 * w}u) / ${Q}u; let aq${w} = (t + ${256 * w}u) % ${Q}u; let ax${w} = m0 + ar${w};\n  let bq${w} = (t + ${256 * w}u) / ${T}u; let bx${w} = n0 + (t + ${256 * w}u) % ${T}u;`).join('\n  ');
  const math = `for (var q = 0u; q < ${Q}u; q++) {
      var av: array<u32, ${R}>; var bv: array<u32, ${R}>;
      for (var x = 0u; x < ${R}u; x++) { av[x] = As[q * ${T}u + lid.y + 16u * x]; bv[x] = Bs[q * ${T}u + lid.x + 16u * x]; }
      for (var x = 0u; x < ${R}u; x++) { for (var y = 0u; y < ${R}u; y++) { sums[x * ${R}u + y] += dot4U8Packed(av[x], bv[y]); } }
    }`;
  const loop = shape.prefetch
    ? `${load(a, 'a', 'kb')}
  ${loadB('kb')}
  for (var k0 = kb; k0 < ke; k0 += ${shape.bk}u) {
    ${put}
    workgroupBarrier();
    // the next step's loads are in flight during this step's dot products
    if (k0 + ${shape.bk}u < ke) {
    ${load(a, 'a', `(k0 + ${shape.bk}u)`)}
    ${loadB(`(k0 + ${shape.bk}u)`)}
    }
    ${math}
    workgroupBarrier();
  }`
    : `for (var k0 = kb; k0 < ke; k0 += ${shape.bk}u) {
    ${load(a, 'a', 'k0')}
    ${loadB('k0')}
    ${put}
    workgroupBarrier();
    ${math}
    workgroupBarrier();
  }`;
  return `var<workgroup> As: array<u32, ${Q * T}>;
var<workgroup> Bs: array<u32, ${Q * T}>;
var<workgroup> Sums: array<u32, ${2 * Q * T}>;
@compute @workgroup_size(16, 16) fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let P = wgml_init();
${splitWalk(o.split, 'wid.z', D.K)}
${o.batches === false ? '  let ao = 0u; let bo = 0u;' : batchWalk('bz')}
  let m0 = wid.y * ${T}u; let n0 = wid.x * ${T}u;
  let t = lid.y * 16u + lid.x;
  ${coords}
  var sums: array<u32, ${R * R}>;
  var regA: array<u32, ${W}>; var regB: array<u32, ${W}>;
  var aPart: array<u32, ${W}>; var bPart: array<u32, ${W}>;${pb ? `\n  var regW: array<u32, 4>; var bP4 = vec4<u32>();\n  let bcw = n0 / 4u + t % 16u;` : ''}
  ${loop}
  // row sums of A (over the ${Q} words of each row) and column sums of B (over the ${Q} quads of each column)
  ${Array.from({ length: W }, (_, w) => `Sums[t + ${256 * w}u] = aPart[${w}];${pb ? '' : ` Sums[${Q * T + 256 * w}u + t] = bPart[${w}];`}`).join(' ')}
  ${pb ? `if (t < ${16 * Q}u) { for (var j = 0u; j < 4u; j++) { Sums[${Q * T}u + (t / 16u) * ${T}u + 4u * (t % 16u) + j] = bP4[j]; } }` : ''}
  workgroupBarrier();
  for (var x = 0u; x < ${R}u; x++) {
    for (var y = 0u; y < ${R}u; y++) {
      let rr = lid.y + 16u * x; let cc = lid.x + 16u * y;
      let m = m0 + rr; let c = n0 + cc;
      if (m < ${D.M} && c < ${D.N}) {
        let i = ${o.index ?? `(bz * ${D.M} + m) * ${D.N} + c`};
        var sa = 0u; var sb = 0u;
        for (var q = 0u; q < ${Q}u; q++) { sa += Sums[rr * ${Q}u + q]; sb += Sums[${Q * T}u + q * ${T}u + cc]; }
        let zam = ${za('m')}${a.signed ? ' + 128' : ''}; let zbc = ${zb('c')}${b.signed ? ' + 128' : ''};
        let acc = bitcast<i32>(sums[x * ${R}u + y]) - zbc * bitcast<i32>(sa) - zam * bitcast<i32>(sb) + i32(ke - kb) * zam * zbc;
        ${store}
      }
    }
  }
}`;
}

/** The grid: 64×64 tiles over N (x) and M (y), one z per batch (and K slice). */
export const tileGrid = (M: number, N: number, nz: number): [number, number, number] => [Math.ceil(N / TILE), Math.ceil(M / TILE), nz];


/** A split GEMM's partial sums: written by the tiles (`split` above), read by the reduce. */
export const SPLIT_PARTIALS: BufferDecl = { name: 'Part', elem: 'i32', writes: true };

/**
 * How far to split K (the float GEMMs' rule, ops/linalg/gemm-select.ts, over `groups` tiles) and each slice's
 * length, a multiple of the tile's K step `step`.
 */
export function intSplits(groups: number, K: number, step: number): { splits: number; ks: number } {
  const splits = splitsFor(groups, K, GEMM_TABLE);
  return { splits, ks: Math.ceil(K / splits / step) * step };
}

/**
 * The reduce of a split GEMM: one thread per output adds the P.splits partial sums (i32, wrapping as the
 * single-pass sums do) into `acc`, then `rest` (the statements that find the output's coordinates and store it,
 * as the tile would have).
 */
export function splitReduceMain(rest: string): string {
  return `  var acc = 0;
  for (var s = 0u; s < P.splits; s++) { acc += Part_ld(s * P.n + i); }
${rest}`;
}
