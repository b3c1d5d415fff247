/**
 * composeView and invertPermutation (ir/view.ts), the algebra the views pass uses to find where a
 * producer's elements land after a permuting chain, against brute force over every element; and the
 * chain resolution on a value too large to check element by element.
 */
import { describe, it, expect } from 'vitest';
import { composeView, denseView, invertPermutation, permuteView, reshapeView, sliceView, viewIndex, type View } from '../src/ir/view.js';
import { shapeSize } from '../src/ir/types.js';
import type { Node, ValueType } from '../src/ir/types.js';
import { resolveOutputView, type ViewRules } from '../src/passes/view-chains.js';
import { rng, testSeed } from './helpers/random.js';

const seed = testSeed();
const r = rng(seed);
const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
const shuffle = (n: number) => [...Array(n).keys()].sort(() => r() - 0.5);

function unravel(i: number, shape: readonly number[]): number[] {
  const c = new Array<number>(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) { c[k] = i % shape[k]!; i = Math.floor(i / shape[k]!); }
  return c;
}

/** A random view of shape-ish `base` dims: permuted, maybe sliced, maybe regrouped. */
function randomView(base: number[]): View {
  let v = permuteView(denseView(base), shuffle(base.length));
  if (r() < 0.4) { const k = Math.floor(r() * base.length); const n = v.shape[k]!; if (n > 1) { const st = Math.floor(r() * (n - 1)); v = sliceView(v, k, st, 1, n - st); } }
  if (r() < 0.4) { const split = v.shape.flatMap((n) => (n % 2 === 0 && n > 2 ? [2, n / 2] : [n])); v = reshapeView(v, split) ?? v; }
  return v;
}

describe('view algebra', () => {
  it(`composeView agrees with reading through both views, element by element (seed ${seed})`, () => {
    let composed = 0;
    for (let t = 0; t < 300; t++) {
      const B = Array.from({ length: 2 + Math.floor(r() * 2) }, () => pick([1, 2, 3, 4, 6]));
      // inner: B's elements inside a larger buffer, in another dim order, some dims padded
      const perm = shuffle(B.length);
      const mem = perm.map((k) => B[k]! + (r() < 0.3 ? 1 : 0));
      const q = B.map((_, k) => perm.indexOf(k));
      const inner = B.reduce((v, n, k) => sliceView(v, k, v.shape[k]! - n, 1, n), permuteView(denseView(mem), q));
      const outer = randomView(B);
      const got = composeView(outer, B, inner);
      if (!got) continue;
      composed++;
      for (let e = 0; e < shapeSize(outer.shape); e++) {
        const c = unravel(e, outer.shape);
        const want = viewIndex(inner, unravel(viewIndex(outer, c), B));
        expect(viewIndex(got, c)).toBe(want);
      }
    }
    expect(composed).toBeGreaterThan(100); // most random permutes and slices compose
  });

  it('composeView refuses steps that carry from one base dim into the next', () => {
    // flat stride 6 over a [2, 3, 4] base walks (0,1,2) → (1,0,0): not one stride of a transposed inner
    const inner = permuteView(denseView([4, 3, 2]), [2, 1, 0]);
    expect(composeView({ shape: [4], strides: [6], offset: 0 }, [2, 3, 4], inner)).toBeNull();
  });

  it(`invertPermutation gives each base element's place in the view's order (seed ${seed})`, () => {
    for (let t = 0; t < 200; t++) {
      const base = Array.from({ length: 2 + Math.floor(r() * 3) }, () => pick([1, 2, 3, 4, 5]));
      let v = permuteView(denseView(base), shuffle(base.length));
      if (r() < 0.5) v = reshapeView(v, [shapeSize(base)]) ?? v;
      const inv = invertPermutation(v, base);
      if (!inv) continue;
      for (let p = 0; p < shapeSize(v.shape); p++) {
        const m = viewIndex(v, unravel(p, v.shape));
        expect(viewIndex(inv, unravel(m, base))).toBe(p);
      }
    }
  });

  it('resolves the output view of a 2²⁴-element transpose chain without walking its elements', () => {
    const S = [1, 256, 16, 4096 / 1];
    const types = new Map<string, ValueType>([['x', { dtype: 'float32', shape: S }], ['t', { dtype: 'float32', shape: [1, 16, 256, 4096] }]]);
    const tr: Node = { name: 't', opType: 'Transpose', domain: '', inputs: ['x'], outputs: ['t'], attrs: {} };
    const rules: ViewRules = { viewOf: (_n, _k, v) => permuteView(v, [0, 2, 1, 3]), viewInputs: () => [], viewOutput: () => true };
    const t0 = performance.now();
    const res = resolveOutputView('x', new Map([['x', [tr]]]), new Set(), types, rules)!;
    expect(performance.now() - t0).toBeLessThan(200);
    expect(res.view).toEqual({ shape: S, strides: [0, 4096, 256 * 4096, 1], offset: 0 });
  });
});
