/**
 * The tiled body of the integer GEMM behind MatMulInteger and QLinearMatMul, for problems with enough
 * rows to fill a tile (the per-output kernel in matmul-integer.ts reads a B column per thread, which only
 * coalesces when M is small). A 16×16 workgroup computes a 64×64 tile of outputs, 4×4 per thread, over
 * K slices of 16 staged in workgroup memory with the zero points already subtracted, so the inner loop is
 * 16 i32 multiply-adds per 8 workgroup reads; i32 sums are exact as the spec asks. Batches (numpy
 * broadcasting) go along the grid's z. The store is the caller's: plain i32, requantized, or a fused float epilogue.
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

/** WGSL entry point; `bLoad(k, c)` reads B as i32, `store` (statements) writes output `i` (row `m`, column `c`) from the i32 sum `acc`. */
export function intTileMain(zaExpr: (m: string) => string, zbExpr: (c: string) => string, bLoad: (k: string, c: string) => string, store: string): string {
  const T = TILE, R = T / 16;
  return `var<workgroup> As: array<i32, ${BK * T}>;
var<workgroup> Bs: array<i32, ${BK * T}>;
@compute @workgroup_size(16, 16) fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let P = wgml_init();
${batchWalk('wid.z')}
  let m0 = wid.y * ${T}u; let n0 = wid.x * ${T}u;
  let t = lid.y * 16u + lid.x;
  var sums: array<i32, ${R * R}>;
  for (var k0 = 0u; k0 < P.K; k0 += ${BK}u) {
    for (var j = 0u; j < ${(BK * T) / 256}u; j++) {
      let s = t + 256u * j;
      // A: ${BK} consecutive k of a row per ${BK} threads; B: consecutive columns of a k row
      let r = s / ${BK}u; let ka = k0 + s % ${BK}u; let m = m0 + r;
      var a = 0;
      if (m < P.M && ka < P.K) { a = i32(A_ld(ao + m * P.K + ka)) - ${zaExpr('m')}; }
      As[(s % ${BK}u) * ${T}u + r] = a;
      let kb = k0 + s / ${T}u; let c = n0 + s % ${T}u;
      var b = 0;
      if (c < P.N && kb < P.K) { b = ${bLoad('kb', 'c')} - ${zbExpr('c')}; }
      Bs[(s / ${T}u) * ${T}u + s % ${T}u] = b;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < ${BK}u; kk++) {
      var av: array<i32, ${R}>; var bv: array<i32, ${R}>;
      for (var x = 0u; x < ${R}u; x++) { av[x] = As[kk * ${T}u + lid.y + 16u * x]; bv[x] = Bs[kk * ${T}u + lid.x + 16u * x]; }
      for (var x = 0u; x < ${R}u; x++) { for (var y = 0u; y < ${R}u; y++) { sums[x * ${R}u + y] += av[x] * bv[y]; } }
    }
    workgroupBarrier();
  }
  for (var x = 0u; x < ${R}u; x++) {
    for (var y = 0u; y < ${R}u; y++) {
      let m = m0 + lid.y + 16u * x; let c = n0 + lid.x + 16u * y;
      if (m < P.M && c < P.N) {
        let i = (wid.z * P.M + m) * P.N + c;
        let acc = sums[x * ${R}u + y];
        ${store}
      }
    }
  }
}`;
}

/** The grid: 64×64 tiles over N (x) and M (y), one z per batch. */
export const tileGrid = (M: number, N: number, nz: number): [number, number, number] => [Math.ceil(N / TILE), Math.ceil(M / TILE), nz];
