/** Strided views (src/ir/view.ts) against naive index arithmetic on CPU arrays. */
import { describe, it, expect } from 'vitest';
import { denseView, expandView, gatherView, isDenseView, isPermutationOf, permuteView, reshapeView, scatterView, selectView, sliceView, viewAttr, viewExtent, viewFromAttr } from '../src/ir/view.js';
import { rng, testSeed } from './helpers/random.js';

const iota = (n: number) => Float32Array.from({ length: n }, (_, i) => i);

/** Row-major coordinates of flat index e in shape. */
function coords(e: number, shape: number[]): number[] {
  const c = new Array<number>(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) { c[k] = e % shape[k]!; e = Math.floor(e / shape[k]!); }
  return c;
}

/** Naive transpose of a dense array (output dim k = input dim perm[k]). */
function transposeNaive(x: Float32Array, shape: number[], perm: number[]): Float32Array {
  const oshape = perm.map((k) => shape[k]!);
  const out = new Float32Array(x.length);
  for (let e = 0; e < x.length; e++) {
    const oc = coords(e, oshape);
    const ic = new Array<number>(shape.length);
    perm.forEach((k, i) => (ic[k] = oc[i]!));
    out[e] = x[ic.reduce((a, c, k) => a * shape[k]! + c, 0)]!;
  }
  return out;
}

describe('strided views', () => {
  it('permute, then reshape when the strides allow it (as torch.view), else null', () => {
    const shape = [2, 3, 4, 5];
    const x = iota(120);
    for (const perm of [[0, 2, 1, 3], [3, 2, 1, 0], [1, 0, 2, 3], [0, 1, 3, 2]]) {
      const v = permuteView(denseView(shape), perm);
      expect(Array.from(gatherView(x, v))).toEqual(Array.from(transposeNaive(x, shape, perm)));
    }
    // [B, S, H, D] viewed as [B, H, S, D]: strides [60, 5, 20, 1]; no two neighbours merge
    const t = permuteView(denseView([2, 3, 4, 5]), [0, 2, 1, 3]); // [2, 4, 3, 5]
    expect(reshapeView(t, [8, 3, 5])).toBeNull(); // B and H: 60 ≠ 5·4
    expect(reshapeView(t, [2, 12, 5])).toBeNull(); // H and S not adjacent in memory
    expect(reshapeView(t, [2, 4, 15])).toBeNull(); // S and D: stride(S) = 20 ≠ 5
    const ok = reshapeView(t, [2, 4, 3, 5, 1])!;
    expect(Array.from(gatherView(x, ok))).toEqual(Array.from(gatherView(x, t)));
    // splitting a strided dim keeps data order
    const split = reshapeView(t, [2, 2, 2, 3, 5])!;
    expect(Array.from(gatherView(x, split))).toEqual(Array.from(gatherView(x, t)));
    // merging contiguous dims of a dense view is always possible
    expect(Array.from(gatherView(x, reshapeView(denseView(shape), [6, 20])!))).toEqual(Array.from(x));
  });

  it('reshape of random permutations equals the permuted data whenever it succeeds', () => {
    const r = rng(testSeed());
    let made = 0;
    for (let trial = 0; trial < 200; trial++) {
      const rank = 2 + Math.floor(r() * 3);
      const shape = Array.from({ length: rank }, () => 1 + Math.floor(r() * 4));
      const perm = [...Array(rank).keys()].sort(() => r() - 0.5);
      const n = shape.reduce((a, b) => a * b, 1);
      const x = iota(n);
      const v = permuteView(denseView(shape), perm);
      const want = transposeNaive(x, shape, perm);
      // a random factorization of n
      const target: number[] = [];
      let rest = n;
      while (rest > 1) { const f = [2, 3, 4, rest].find((d) => rest % d === 0 && r() < 0.5) ?? rest; target.push(f); rest /= f; }
      if (!target.length) target.push(1);
      const rv = reshapeView(v, target);
      if (rv) { made++; expect(Array.from(gatherView(x, rv))).toEqual(Array.from(want)); }
    }
    expect(made).toBeGreaterThan(20);
  });

  it('slice, select, expand, and scatter back', () => {
    const x = iota(60);
    const v = denseView([3, 4, 5]);
    const s = sliceView(v, 2, 1, 2, 2); // [:, :, 1:5:2]
    const want: number[] = [];
    for (let a = 0; a < 3; a++) for (let b = 0; b < 4; b++) for (const c of [1, 3]) want.push(a * 20 + b * 5 + c);
    expect(Array.from(gatherView(x, s))).toEqual(want);
    const g = selectView(v, 1, 2); // x[:, 2, :]
    expect(Array.from(gatherView(x, g))).toEqual([10, 11, 12, 13, 14, 30, 31, 32, 33, 34, 50, 51, 52, 53, 54]);
    const e = expandView(denseView([1, 3]), [2, 2, 3])!;
    expect(Array.from(gatherView(iota(3), e))).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2]);
    expect(expandView(denseView([2, 3]), [4, 3])).toBeNull();
    const base = new Float32Array(60);
    scatterView(base, s, gatherView(x, s));
    expect(Array.from(base).filter((q, i) => q !== 0 && q !== i)).toEqual([]);
    expect(viewExtent(s)).toBe(2 * 20 + 3 * 5 + 3 + 1);
  });

  it('dense and permutation tests, attribute round trip', () => {
    expect(isDenseView(denseView([2, 3]))).toBe(true);
    expect(isDenseView(permuteView(denseView([2, 3]), [1, 0]))).toBe(false);
    expect(isDenseView(permuteView(denseView([1, 3]), [1, 0]))).toBe(true);
    expect(isPermutationOf(permuteView(denseView([2, 3, 4]), [2, 0, 1]), 24)).toBe(true);
    expect(isPermutationOf(sliceView(denseView([2, 3, 4]), 2, 0, 1, 3), 24)).toBe(false);
    const v = sliceView(permuteView(denseView([2, 3, 4]), [2, 0, 1]), 0, 1, 1, 2);
    expect(viewFromAttr(viewAttr(v))).toEqual(v);
  });
});
