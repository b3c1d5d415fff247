/**
 * Every MatMul/Gemm form as one canonical strided problem: Y[z, m, n] = Σk A[z, m, k]·B[z, k, n], each
 * operand (and each epilogue input read at the output coordinates) an offset, a stride per m/k/n and a
 * stride per batch dim. Transposes, views, batch broadcasting and 1-D operands are only strides here,
 * so the kernels read every form without copies. `normalizeGemm` then makes the problem as small as
 * the strides allow: size-1 batch dims drop, batch dims that a 2-D (or broadcast) B shares fold into
 * M (one GEMM over prod(batch)·M rows instead of many small ones), neighbouring batch dims merge, and a
 * single-column product is transposed into a single-row one (Yᵀ = Bᵀ·Aᵀ) so one GEMV kernel serves both.
 * Pure functions, no GPU.
 */
import { expandView, type View } from '../../ir/view.js';

/** Strides of one operand: `r` and `c` along its two matrix dims (A: m, k; B: k, n; Y and inputs read at the output: m, n). */
export interface Strided { off: number; r: number; c: number; batch: number[] }

export interface GemmProblem {
  M: number; N: number; K: number;
  /** Batch dims, outermost first (product = number of GEMMs). */
  batch: number[];
  a: Strided; b: Strided; y: Strided;
  /** Inputs read at the output coordinates: Gemm's C first when present, then epilogue inputs. */
  ext: Strided[];
  /** True when the problem was transposed (M and N, A and B swapped) to make it a single row. */
  swapped: boolean;
}

const rank2 = (v: View, what: string): void => {
  if (v.shape.length < 2) throw new Error(`internal: ${what} must have rank ≥ 2 here, got [${v.shape.join(', ')}]`);
};

/**
 * A problem from operand views already in matrix form: A [..., M, K], B [..., K, N], Y [...batch, M, N]
 * (the output's layout), extras broadcastable to Y's shape. A's and B's batch dims broadcast (numpy).
 */
export function gemmProblem(a: View, b: View, y: View, extras: View[]): GemmProblem {
  rank2(a, 'A'); rank2(b, 'B'); rank2(y, 'Y');
  const nb = y.shape.length - 2;
  const batch = y.shape.slice(0, nb);
  const M = y.shape[nb]!, N = y.shape[nb + 1]!, K = a.shape[a.shape.length - 1]!;
  /** Strides over Y's dims of a view right-aligned against Y's shape (0 on broadcast dims). */
  const over = (v: View, shape: number[], what: string): number[] => {
    const e = expandView(v, shape);
    if (!e) throw new Error(`internal: ${what} [${v.shape.join(', ')}] does not broadcast to [${shape.join(', ')}]`);
    return e.strides;
  };
  const aS = over(a, [...batch, M, K], 'A'), bS = over(b, [...batch, K, N], 'B');
  const op = (s: number[], off: number): Strided => ({ off, r: s[nb]!, c: s[nb + 1]!, batch: s.slice(0, nb) });
  return {
    M, N, K, batch,
    a: op(aS, a.offset), b: op(bS, b.offset), y: op(y.strides, y.offset),
    ext: extras.map((e, i) => op(over(e, y.shape, `epilogue input ${i}`), e.offset)),
    swapped: false,
  };
}

/** Size-1 batch dims out, batch dims folded into M where every operand allows, neighbours merged, N = 1 transposed. */
export function normalizeGemm(p0: GemmProblem): GemmProblem {
  const p: GemmProblem = structuredClone(p0);
  const ops = (): Strided[] => [p.a, p.b, p.y, ...p.ext];
  const drop = (d: number) => { p.batch.splice(d, 1); for (const o of ops()) o.batch.splice(d, 1); };
  for (let d = p.batch.length - 1; d >= 0; d--) if (p.batch[d] === 1) drop(d);
  // Fold the innermost batch dim into M while B does not move along it and A, Y and the epilogue inputs
  // continue their m walk across it. A single row (M = 1) has no m stride of its own: it takes the batch's.
  const mOps = () => [p.a, p.y, ...p.ext];
  while (p.batch.length) {
    const d = p.batch.length - 1;
    if (p.b.batch[d] !== 0) break;
    if (p.M === 1) { for (const o of mOps()) o.r = o.batch[d]!; } else if (!mOps().every((o) => o.batch[d] === p.M * o.r)) break;
    p.M *= p.batch[d]!;
    drop(d);
  }
  for (let d = p.batch.length - 2; d >= 0; d--) {
    const inner = p.batch[d + 1]!;
    if (ops().every((o) => o.batch[d] === o.batch[d + 1]! * inner)) {
      p.batch[d] = p.batch[d]! * inner;
      for (const o of ops()) o.batch[d] = o.batch[d + 1]!;
      drop(d + 1);
    }
  }
  if (p.N === 1 && p.M > 1) return transposeGemm(p);
  return p;
}

/** Yᵀ = Bᵀ·Aᵀ: the same products with the roles of rows and columns exchanged. */
export function transposeGemm(p: GemmProblem): GemmProblem {
  const t = (o: Strided): Strided => ({ off: o.off, r: o.c, c: o.r, batch: o.batch });
  return { M: p.N, N: p.M, K: p.K, batch: p.batch, a: t(p.b), b: t(p.a), y: t(p.y), ext: p.ext.map(t), swapped: !p.swapped };
}

/**
 * How the kernels may read an operand tile whose smem layout is rows × (cols as vec4s):
 * `c4` vec4 loads along the columns, `r4` vec4 loads along the rows (scattered into the tile),
 * `c1`/`r1` scalar loads grouped the same way (the contiguous dim, when there is one, runs across threads).
 */
export type LoadClass = 'c4' | 'r4' | 'c1' | 'r1';

const aligned = (o: Strided, other: number) => o.off % 4 === 0 && other % 4 === 0 && o.batch.every((s) => s % 4 === 0);

/** Load class of an operand with `rows` × `cols` extents (A: M × K, B: K × N). */
export function loadClass(o: Strided, rows: number, cols: number): LoadClass {
  // an empty operand (K = 0) binds 4 bytes, under the 16 an array of vec4s needs; nothing is read from it anyway
  if (rows === 0 || cols === 0) return 'c1';
  // the stride of a dim of extent 1 is never multiplied by anything but 0
  if (o.c === 1 && cols % 4 === 0 && aligned(o, rows > 1 ? o.r : 0)) return 'c4';
  if (o.r === 1 && rows % 4 === 0 && aligned(o, cols > 1 ? o.c : 0)) return 'r4';
  if (o.c === 1 || cols === 1) return 'c1';
  return o.r === 1 ? 'r1' : 'c1';
}

/** Output stores: vec4 along n when Y is n-contiguous and aligned. */
export function storeClass(p: GemmProblem): 'c4' | 'c1' {
  return p.y.c === 1 && p.N % 4 === 0 && aligned(p.y, p.M > 1 ? p.y.r : 0) ? 'c4' : 'c1';
}
