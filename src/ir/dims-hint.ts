/**
 * When specialization fails deep inside a model ("node '/Concat': inputs [1, 64, 6, 6] and
 * [1, 32, 7, 7] differ"), the cause is usually a constraint on the input dimensions the model never
 * states: a U-Net that pools three times needs H and W to be multiples of 8. This finds such a
 * constraint by specializing again at nearby sizes (shapes only, no data: milliseconds) and says it
 * in terms of the input: which symbolic dimension, which multiple, and sizes that work.
 */
import type { Dim, Graph } from './types.js';

/** A derived constraint on the input dimensions. */
export interface DimsConstraint {
  /** The sizes given must be multiples of this (undefined when only `works` was found). */
  multiple?: number;
  /** The input dimensions that had to change: input, axis, its symbol in the model, the size given. */
  dims: { input: string; axis: number; symbol: string; given: number }[];
  /** Input dimensions that specialize (the given ones, rounded up). */
  works: Record<string, number[]>;
}

const MULTIPLES = [2, 4, 8, 16, 32, 64, 128];

/**
 * Find why `given` fails: `tries(dims)` says whether specialization succeeds at `dims`.
 * Only free dimensions (symbolic in the model) are varied, and a leading 1 (a batch) is left alone.
 */
export function deriveDimsConstraint(graph: Graph, given: Record<string, readonly number[]>, tries: (dims: Record<string, number[]>) => boolean): DimsConstraint | null {
  const free: { input: string; axis: number; symbol: string; given: number }[] = [];
  for (const inp of graph.inputs) {
    const g = given[inp.name];
    if (!g || g.length !== inp.shape.length) continue;
    inp.shape.forEach((d: Dim, axis) => {
      if ((typeof d !== 'number' || d < 0) && (axis > 0 || g[axis]! !== 1)) free.push({ input: inp.name, axis, symbol: typeof d === 'string' && d ? d : `dim ${axis}`, given: g[axis]! });
    });
  }
  if (!free.length) return null;
  const at = (value: (f: (typeof free)[number]) => number, only: typeof free = free): Record<string, number[]> => {
    const out: Record<string, number[]> = Object.fromEntries(Object.entries(given).map(([k, v]) => [k, [...v]]));
    for (const f of only) out[f.input]![f.axis] = value(f);
    return out;
  };
  for (const m of MULTIPLES) {
    const off = free.filter((f) => f.given % m !== 0);
    if (!off.length) continue;
    // An odd multiple of m (m·k, k odd): a size that happens to be a multiple of 2m proves nothing about m.
    const odd = (v: number) => { let k = Math.ceil(v / m); if (k % 2 === 0) k++; return k * m; };
    if (!tries(at((f) => (off.includes(f) ? odd(f.given) : f.given)))) continue;
    // A larger size that is not a multiple of m working too means the need was size, not m.
    if (tries(at((f) => (off.includes(f) ? odd(f.given) + m / 2 : f.given)))) break;
    // Which of them mattered: put each back to its given size in turn.
    const needed = off.filter((f) => !tries(at((g) => (off.includes(g) && g !== f ? odd(g.given) : g.given))));
    const culprits = needed.length ? needed : off;
    const up = at((f) => (culprits.includes(f) ? Math.ceil(f.given / m) * m : f.given));
    return { multiple: m, dims: culprits, works: tries(up) ? up : at((f) => (culprits.includes(f) ? odd(f.given) : f.given)) };
  }
  // No multiple helps: perhaps a minimum size (pooling down to nothing). Offer a size that works.
  for (const p of [8, 16, 32, 64, 128, 256, 512, 1024]) {
    const bigger = free.filter((f) => f.given < p);
    if (!bigger.length) continue;
    const dims = at((f) => (bigger.includes(f) ? p : f.given));
    if (tries(dims)) return { dims: bigger, works: dims };
  }
  return null;
}

/** "H and W (given 30, 30) must be multiples of 8", "input 'x': size 16 works". */
export function fmtDimsConstraint(c: DimsConstraint): string {
  const inputs = [...new Set(c.dims.map((d) => d.input))];
  const names = c.dims.map((d) => d.symbol);
  const list = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : names[0]!;
  const given = c.dims.map((d) => d.given).join(', ');
  const of = `of input${inputs.length > 1 ? 's' : ''} ${inputs.map((i) => `'${i}'`).join(', ')}`;
  const one = c.dims.length === 1;
  if (c.multiple) return `${list} ${of} (given ${given}) must be ${c.multiple === 2 ? 'even' : one ? `a multiple of ${c.multiple}` : `multiples of ${c.multiple}`} for this model`;
  return `${list} ${of} (given ${given}) ${one ? 'is' : 'are'} too small for this model`;
}
