/**
 * Views through merged batch dims. nn.MultiheadAttention (and every nn.Transformer* layer) reshapes its
 * packed projection [S, B, 3·E] to [S, B·H, D] and transposes to [B·H, S, D]: at batch > 1 the merged
 * B·H dim steps H heads by D and B batches by 3·E, which no single stride expresses, so the plain view
 * algebra (ir/view.ts) stops there and a copy runs. Attention only needs its batch dims as one flat
 * index, so here each operand is mapped element by element back to the value its chain starts from,
 * and the batch dim is split into factors (B·H = 2·4 → [2, 4]) whose strides fit every operand at once.
 * Pure: what each node does to views comes from ViewRules, as in view-chains.ts.
 */
import type { Node, ValueType } from '../ir/types.js';
import { shapeSize } from '../ir/types.js';
import { denseStridesOf, denseView, isPermutationOf, type View } from '../ir/view.js';
import type { Producers, ViewRules } from './view-chains.js';

/** Most elements mapped one by one; larger operands keep the plain views. */
const LIMIT = 1 << 22;

const coords = (flat: number, dense: readonly number[], out: number[]) => { for (let k = 0; k < dense.length; k++) { out[k] = Math.floor(flat / dense[k]!); flat -= out[k]! * dense[k]!; } };

/** For each element of `value` (row-major), its flat index in the value its chain of re-views starts from. */
export function elementSources(value: string, prod: Producers, types: Map<string, ValueType>, rules: ViewRules): { base: string; idx: Int32Array; chain: Node[] } | null {
  const t = types.get(value);
  if (!t || shapeSize(t.shape) > LIMIT) return null;
  const idx = Int32Array.from({ length: shapeSize(t.shape) }, (_, e) => e);
  const chain: Node[] = [];
  let v = value;
  for (;;) {
    const p = prod.get(v);
    const src = p?.node.inputs[0];
    const st = src ? types.get(src) : undefined;
    const f = p && st ? rules.viewOf(p.node, p.k, denseView(st.shape)) : null;
    const shape = types.get(v)!.shape;
    if (!p || !src || !f || f.shape.length !== shape.length || f.shape.some((d, i) => d !== shape[i])) break;
    const dense = denseStridesOf(shape), c = new Array<number>(shape.length);
    for (let e = 0; e < idx.length; e++) {
      coords(idx[e]!, dense, c);
      let at = f.offset;
      for (let k = 0; k < c.length; k++) at += c[k]! * f.strides[k]!;
      idx[e] = at;
    }
    chain.push(p.node);
    v = src;
  }
  return { base: v, idx, chain };
}

/**
 * For each element of `value`, its flat index in the last value of the permuting chain of re-views
 * that alone reads it (Transpose → Reshape after attention), or null when there is none.
 */
export function elementTargets(value: string, uses: Map<string, Node[]>, outs: Set<string>, types: Map<string, ValueType>, rules: ViewRules): { target: string; idx: Int32Array; chain: Node[] } | null {
  const t = types.get(value);
  if (!t || shapeSize(t.shape) > LIMIT) return null;
  const idx = Int32Array.from({ length: shapeSize(t.shape) }, (_, e) => e);
  const chain: Node[] = [];
  let v = value;
  while (!outs.has(v)) {
    const u = uses.get(v);
    const n = u?.length === 1 ? u[0]! : null;
    if (!n || n.inputs[0] !== v || n.inputs.slice(1).includes(v) || n.outputs.filter(Boolean).length !== 1) break;
    const tin = types.get(v)!, tout = types.get(n.outputs[0]!);
    const f = tout ? rules.viewOf(n, 0, denseView(tin.shape)) : null;
    if (!f || !tout || !isPermutationOf(f, shapeSize(tin.shape)) || f.shape.some((d, i) => d !== tout.shape[i])) break;
    // output element o reads input element f(o): invert to move forward
    const inv = new Int32Array(idx.length);
    const dense = denseStridesOf(tout.shape), c = new Array<number>(tout.shape.length);
    for (let o = 0; o < inv.length; o++) {
      coords(o, dense, c);
      let at = f.offset;
      for (let k = 0; k < c.length; k++) at += c[k]! * f.strides[k]!;
      inv[at] = o;
    }
    for (let e = 0; e < idx.length; e++) idx[e] = inv[idx[e]!]!;
    chain.push(n);
    v = n.outputs[0]!;
  }
  return chain.length ? { target: v, idx, chain } : null;
}

/** The strided view of `shape` whose row-major element e sits at idx[e], or null (negative strides included). */
export function fitView(idx: Int32Array, shape: readonly number[]): View | null {
  if (shapeSize(shape) !== idx.length || !idx.length) return null;
  const dense = denseStridesOf(shape);
  const offset = idx[0]!;
  const strides = shape.map((n, k) => (n > 1 ? idx[dense[k]!]! - offset : 0));
  if (strides.some((s) => s < 0)) return null;
  const c = new Array<number>(shape.length);
  for (let e = 0; e < idx.length; e++) {
    coords(e, dense, c);
    let at = offset;
    for (let k = 0; k < c.length; k++) at += c[k]! * strides[k]!;
    if (at !== idx[e]) return null;
  }
  return { shape: [...shape], strides, offset };
}

/** Every distinct ordering of n's prime factors (outermost first): the ways to split a merged dim. */
export function factorOrders(n: number): number[][] {
  const primes: number[] = [];
  for (let p = 2, m = n; m > 1; p++) { if (p * p > m) { primes.push(m); break; } while (m % p === 0) { primes.push(p); m /= p; } }
  if (primes.length > 8) return [];
  const out: number[][] = [];
  const walk = (left: number[], acc: number[]) => {
    if (!left.length) { out.push(acc); return; }
    for (const p of new Set(left)) walk(left.filter((_, i) => i !== left.indexOf(p)), [...acc, p]);
  };
  walk(primes, []);
  return out;
}
