/**
 * The integer GEMM on subgroup matrices (tensor cores): MatMulInteger and QLinearMatMul with a constant B
 * packed four to a word (passes/pack-int-weights.ts), on devices with `chromium-experimental-subgroup-matrix`
 * offering i8×i8→i32 at M16×N16×K32 and a fixed subgroup size of 32 (an H200 through Dawn on Vulkan).
 *
 * One subgroup per workgroup: Dawn wants subgroupMatrixLoad/Store offsets uniform over the workgroup, so the
 * subgroups of one workgroup could not take tiles of their own (src/shaderml/subgroup-fast.ts). A workgroup
 * computes a 32×64 tile of outputs as 2×4 result matrices, stepping K by 32: its 32 threads stage A's 32×32
 * bytes (each thread one row, four k to a word) and B's 32×64 bytes in workgroup memory, then the subgroup
 * loads two left and four right matrices from there and runs eight multiply-accumulates.
 *
 * Only i8×i8 exists, so both operands go to the signed domain: uint8 v becomes v − 128 (the byte's top bit
 * flipped), folded into the zero points as in int-gemm-tile.ts:
 *   Σ (a − za)(b − zb) = Σ a·b − zb·Σ a − za·Σ b + K·za·zb,
 * with the row sums Σ a (dot4I8Packed with 0x01010101) and column sums Σ b (unpack4xI8) kept by the threads
 * that stage them. Padding (rows past M, k past the slice) is staged as 0, so it adds nothing to any sum.
 * Sums wrap mod 2^32 as the spec's i32 accumulation does. K splits over the grid's z as the dot4 tile's do.
 *
 * Measured on an H200 (2026-12-05, bench/quant/int-gemm-check.mjs): exact everywhere, but with vec4 staging 1.4–3.9
 * TOPS against the dot4 tiles' 2.0–8.6 (1.0–2.8 with scalar staging), so it is opt-in (createPipeline's intMatrix).
 * Staging is the cost: 32 threads load and pack a 32×32 A and a 32×64 B per K step (A arrives one value per word),
 * and one subgroup per workgroup hides little latency.
 */
import { splitWalk, batchWalk, type IntTileOptions } from './int-gemm-tile.js';

export const MMA_TM = 32;
export const MMA_TN = 64;
/** The K step: one K32 matrix per step, so a split's slice length is a multiple of it. */
export const MMA_BK = 32;
/** The WGSL extensions the kernel enables. */
export const MMA_ENABLES = ['chromium_experimental_subgroup_matrix', 'subgroups'] as const;

/**
 * B for the matrix tile: packed words, word `cw` of row `k`, and whether the bytes are int8; `word4`, where a row's
 * words are a whole number of vec4s: words 4v..4v+3 of row k as a vec4<u32> in one load.
 */
export interface PackedOperand { word: (k: string, cw: string) => string; signed: boolean; words: string; word4?: (k: string, v: string) => string }

/** `vec4`: stage A four k to a load (a.load4, K a multiple of 4) and B four words to a load (b.word4). */
export type MmaTileOptions = Omit<IntTileOptions, 'b' | 'dims'> & { b: PackedOperand; dims: { M: string; N: string; K: string }; vecA?: boolean; vecB?: boolean };

const RM = MMA_TM / 16, RN = MMA_TN / 16;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** WGSL entry point (with MMA_ENABLES). `a.load(k, m)` reads A[m][k] as i32; `b.word(k, cw)` B's packed word. */
export function mmaTileMain(o: MmaTileOptions): string {
  const { a, b, za, zb, store, dims: D } = o;
  const vecA = !!o.vecA && !!a.load4, vecB = !!o.vecB && !!b.word4;
  const flipA = a.signed ? '' : ' ^ 0x80u';
  const flipB = b.signed ? '0u' : '0x80808080u';
  const res = (x: number, y: number) => `r${x}${y}`;
  const products = range(RM).flatMap((x) => range(RN).map((y) => `    ${res(x, y)} = subgroupMatrixMultiplyAccumulate(a${x}, b${y}, ${res(x, y)});`));
  return `var<workgroup> As: array<i32, ${(MMA_TM * MMA_BK) / 4}>;
var<workgroup> Bs: array<i32, ${(MMA_BK * MMA_TN) / 4}>;
var<workgroup> Cs: array<i32, ${MMA_TM * MMA_TN}>;
var<workgroup> RowSum: array<i32, ${MMA_TM}>;
var<workgroup> ColSum: array<vec4<i32>, ${vecB ? 128 : 32}>;
@compute @workgroup_size(32) fn main(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let P = wgml_init();
${splitWalk(o.split, 'wid.z', D.K)}
${o.batches === false ? '  let ao = 0u; let bo = 0u;' : batchWalk('bz')}
  let m0 = wid.y * ${MMA_TM}u; let n0 = wid.x * ${MMA_TN}u;
${range(RM).flatMap((x) => range(RN).map((y) => `  var ${res(x, y)} = subgroup_matrix_result<i32, 16, 16>();`)).join('\n')}
  // thread t stages row t of A, and B's words t + 32j: word column t % 16 (columns 4·(t % 16) + 0..3), rows t / 16 + 2j
  let am = m0 + t;
  let bcw = n0 / 4u + t % 16u;
  var rowSum = 0i;
  var colSum = vec4<i32>();
${vecB ? '  var colSum4: array<vec4<i32>, 4>;' : ''}
  for (var k0 = kb; k0 < ke; k0 += ${MMA_BK}u) {
    for (var w = 0u; w < ${MMA_BK / 4}u; w++) {
      let k = k0 + 4u * w;
      var word = 0u;
${vecA ? `      if (am < ${D.M} && k < ke) {
        let q4 = (vec4<u32>(${a.load4!('k', 'am')}) & vec4<u32>(255u))${flipA ? ' ^ vec4<u32>(0x80u)' : ''};
        word = q4.x | (q4.y << 8u) | (q4.z << 16u) | (q4.w << 24u);
      }` : `      if (am < ${D.M}) {
        for (var j = 0u; j < 4u; j++) {
          if (k + j < ke) { word |= ((u32(${a.load('(k + j)', 'am')}) & 255u)${flipA}) << (8u * j); }
        }
      }`}
      As[t * ${MMA_BK / 4}u + w] = bitcast<i32>(word);
      rowSum += dot4I8Packed(word, 0x01010101u);
    }
${vecB ? `    // B four words to a load: vec4 t + 32j is row t / 4 + 8j, words 4·(t % 4)..+3 of the tile's 16
    for (var j = 0u; j < ${(MMA_BK * MMA_TN) / 512}u; j++) {
      let k = k0 + t / 4u + 8u * j;
      let v = n0 / 16u + t % 4u;
      var q = vec4<u32>();
      if (k < ke && 4u * v < ${b.words}) { q = ${b.word4!('k', 'v')} ^ vec4<u32>(${flipB}); }
      let at = (t / 4u + 8u * j) * 16u + 4u * (t % 4u);
      Bs[at] = bitcast<i32>(q.x); Bs[at + 1u] = bitcast<i32>(q.y); Bs[at + 2u] = bitcast<i32>(q.z); Bs[at + 3u] = bitcast<i32>(q.w);
      colSum4[0] += unpack4xI8(q.x); colSum4[1] += unpack4xI8(q.y); colSum4[2] += unpack4xI8(q.z); colSum4[3] += unpack4xI8(q.w);
    }` : `    for (var j = 0u; j < ${(MMA_BK * MMA_TN) / 128}u; j++) {
      let k = k0 + t / 16u + 2u * j;
      var word = 0u;
      if (k < ke && bcw < ${b.words}) { word = ${b.word('k', 'bcw')} ^ ${flipB}; }
      Bs[t + 32u * j] = bitcast<i32>(word);
      colSum += unpack4xI8(word);
    }`}
    workgroupBarrier();
${range(RM).map((x) => `    let a${x} = subgroupMatrixLoad<subgroup_matrix_left<i8, ${MMA_BK}, 16>>(&As, ${x * 16 * MMA_BK}u, false, ${MMA_BK}u);`).join('\n')}
${range(RN).map((y) => `    let b${y} = subgroupMatrixLoad<subgroup_matrix_right<i8, 16, ${MMA_BK}>>(&Bs, ${y * 16}u, false, ${MMA_TN}u);`).join('\n')}
${products.join('\n')}
    workgroupBarrier();
  }
${range(RM).flatMap((x) => range(RN).map((y) => `  subgroupMatrixStore(&Cs, ${x * 16 * MMA_TN + y * 16}u, ${res(x, y)}, false, ${MMA_TN}u);`)).join('\n')}
  RowSum[t] = rowSum;
${vecB ? '  for (var i = 0u; i < 4u; i++) { ColSum[t * 4u + i] = colSum4[i]; }' : '  ColSum[t] = colSum;'}
  workgroupBarrier();
  for (var e = 0u; e < ${(MMA_TM * MMA_TN) / 32}u; e++) {
    let rr = e / 2u; let cc = t + 32u * (e % 2u);
    let m = m0 + rr; let c = n0 + cc;
    if (m < ${D.M} && c < ${D.N}) {
      let i = ${o.index ?? `(bz * ${D.M} + m) * ${D.N} + c`};
      let sa = RowSum[rr];
${vecB ? `      // word cc / 4 is lane (cc / 4) % 4 of the threads t with t % 4 = cc / 16
      var sb = 0i;
      for (var r = 0u; r < 8u; r++) { sb += ColSum[(cc / 16u + 4u * r) * 4u + (cc / 4u) % 4u][cc % 4u]; }` : `      let sb = ColSum[cc / 4u][cc % 4u] + ColSum[16u + cc / 4u][cc % 4u];`}
      let zam = ${za('m')}${a.signed ? '' : ' - 128'}; let zbc = ${zb('c')}${b.signed ? '' : ' - 128'};
      let acc = Cs[rr * ${MMA_TN}u + cc] - zbc * sa - zam * sb + i32(ke - kb) * zam * zbc;
      ${store}
    }
  }
}`;
}

/** The grid: 32×64 tiles over N (x) and M (y), one z per batch (and K slice). */
export const mmaGrid = (M: number, N: number, nz: number): [number, number, number] => [Math.ceil(N / MMA_TN), Math.ceil(M / MMA_TM), nz];
