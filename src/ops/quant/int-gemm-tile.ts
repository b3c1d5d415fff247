/**
 * The tiled body of the integer GEMM behind MatMulInteger and QLinearMatMul, for problems with enough
 * rows to fill a tile (the per-output kernel in matmul-integer.ts reads a B column per thread, which only
 * coalesces when M is small). A 16×16 workgroup computes a 64×64 tile of outputs, 4×4 per thread, over
 * K slices of 16 staged in workgroup memory four k to a u32 word, so one `dot4U8Packed` (DP4A on NVIDIA,
 * SDOT/UDOT on ARM) does four multiply-adds: 16 of them and 8 workgroup reads per thread per 4 k, where i32
 * arithmetic took 64 multiply-adds and 32 reads. Operands are made unsigned by an offset (int8 v → v + 128)
 * folded into the zero points, and the zero points come out after the loop:
 *   Σ (a − za)(b − zb) = Σ a·b − zb·Σ a − za·Σ b + K·za·zb   (a, b, za, zb in the offset domain),
 * with the row sums Σ a and column sums Σ b accumulated by the threads that stage them. Sums wrap mod 2^32,
 * so the result is exact wherever the true i32 sum is, as the spec asks. Batches (numpy broadcasting) go along
 * the grid's z. The store is the caller's: plain i32, requantized, or a fused float epilogue.
 */
export const TILE = 64;
const BK = 16;

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

/** An 8-bit operand: its raw value at (k, column or row) as i32, and whether it is int8 (offset by 128). */
export interface Int8Operand { load: (k: string, x: string) => string; signed: boolean }

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
 * WGSL entry point. `a.load(k, m)` / `b.load(k, c)` read A[m][k] / B[k][c] as i32 (int8 or uint8 values).
 */
export function intTileMain(o: IntTileOptions): string {
  const { a, b, za, zb, store } = o;
  const T = TILE, R = T / 16, Q = BK / 4;
  // one u32 of four k per thread and tile: A as 64 rows × 4 quads, B as 4 quads × 64 columns
  const pack = (op: Int8Operand, v: (j: number) => string) => [0, 1, 2, 3].map((j) => `((u32(${v(j)}${op.signed ? ' + 128' : ''}) & 255u) << ${8 * j}u)`).join(' | ');
  const D = o.dims ?? { M: 'P.M', N: 'P.N', K: 'P.K' };
  // Staging one operand's word: four k from k0 + 4·(its quad) of row/column `x` (zeros past K or the edge) into the
  // tile at `slot`, and its byte sum into the row or column sum.
  const stage = (op: Int8Operand, n: 'a' | 'b', x: string, bound: string, slot: string) => `{
    let k = k0 + 4u * ${n}q;
    var w = 0u;
    if (${x} < ${bound} && k + 3u < ke) { w = ${pack(op, (j) => op.load(`(k + ${j}u)`, x))}; }
    else if (${x} < ${bound}) { for (var j = 0u; j < 4u; j++) { if (k + j < ke) { w |= (u32(${op.load('(k + j)', x)}${op.signed ? ' + 128' : ''}) & 255u) << (8u * j); } } }
    ${slot} = w;
    ${n}Part += dot4U8Packed(w, 0x01010101u);
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
  // what this thread stages in every slice: A row t / ${Q}, quad t % ${Q}; B quad t / ${T}, column t % ${T}
  let ar = t / ${Q}u; let aq = t % ${Q}u; let am = m0 + ar;
  let bq = t / ${T}u; let bc = t % ${T}u; let bn = n0 + bc;
  var sums: array<u32, ${R * R}>;
  var aPart = 0u; var bPart = 0u;
  for (var k0 = kb; k0 < ke; k0 += ${BK}u) {
    ${stage(a, 'a', 'am', D.M, `As[aq * ${T}u + ar]`)}
    ${stage(b, 'b', 'bn', D.N, `Bs[bq * ${T}u + bc]`)}
    workgroupBarrier();
    for (var q = 0u; q < ${Q}u; q++) {
      var av: array<u32, ${R}>; var bv: array<u32, ${R}>;
      for (var x = 0u; x < ${R}u; x++) { av[x] = As[q * ${T}u + lid.y + 16u * x]; bv[x] = Bs[q * ${T}u + lid.x + 16u * x]; }
      for (var x = 0u; x < ${R}u; x++) { for (var y = 0u; y < ${R}u; y++) { sums[x * ${R}u + y] += dot4U8Packed(av[x], bv[y]); } }
    }
    workgroupBarrier();
  }
  // row sums of A (over the ${Q} threads that staged each row) and column sums of B
  Sums[t] = aPart; Sums[${Q * T}u + t] = bPart;
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

/** The K step of the tile, which a split's slice length must be a multiple of. */
export const TILE_BK = BK;

/**
 * The reduce of a split GEMM: one thread per output adds the P.splits partial sums (i32, wrapping as the
 * single-pass sums do) and runs `store` with `i`, `m`, `c` and `acc`, as the tile would have.
 */
export function splitReduceMain(store: string): string {
  return `  let c = i % P.N;
  let m = (i / P.N) % P.M;
  var acc = 0;
  for (var s = 0u; s < P.splits; s++) { acc += Part_ld(s * P.n + i); }
  ${store}`;
}
