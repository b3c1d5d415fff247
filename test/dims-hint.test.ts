/** Deriving the input-dimension constraint a model never states, from which nearby sizes specialize. */
import { describe, it, expect } from 'vitest';
import { deriveDimsConstraint, fmtDimsConstraint } from '../src/ir/dims-hint.js';
import type { Graph } from '../src/ir/types.js';

const graph = (shape: (number | string)[]): Graph => ({ name: 'g', inputs: [{ name: 'x', dtype: 'float32', shape }], outputs: [], nodes: [], initializers: new Map(), valueInfo: new Map(), opsets: { '': 17 } }) as unknown as Graph;

describe('deriveDimsConstraint', () => {
  it('finds the multiple (8, not the 4 that 32 also satisfies) and only the dimensions that matter', () => {
    const tried: number[][] = [];
    const tries = (d: Record<string, number[]>) => { tried.push(d.x!); return d.x![2]! % 8 === 0; };
    const c = deriveDimsConstraint(graph(['N', 3, 'H', 'W']), { x: [1, 3, 30, 30] }, tries)!;
    expect(c.multiple).toBe(8);
    expect(c.dims.map((d) => d.symbol)).toEqual(['H']);
    expect(c.works.x).toEqual([1, 3, 32, 30]);
    expect(fmtDimsConstraint(c)).toBe("H of input 'x' (given 30) must be a multiple of 8 for this model");
    // the batch of 1 and the fixed channel count were never changed
    for (const t of tried) expect([t[0], t[1]]).toEqual([1, 3]);
  });

  it('reports a minimum size when no multiple helps, and nothing when nothing does', () => {
    const big = deriveDimsConstraint(graph([1, 'H', 'W']), { x: [1, 5, 6] }, (d) => d.x![1]! >= 60 && d.x![2]! >= 60)!;
    expect(big.multiple).toBeUndefined();
    expect(big.works.x).toEqual([1, 64, 64]);
    expect(fmtDimsConstraint(big)).toMatch(/^H and W of input 'x' \(given 5, 6\) are too small/);
    expect(deriveDimsConstraint(graph([1, 'H']), { x: [1, 7] }, () => false)).toBeNull();
    expect(deriveDimsConstraint(graph([1, 4]), { x: [1, 4] }, () => true)).toBeNull();
  });
});
