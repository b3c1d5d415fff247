/**
 * Strided views: how a value that only re-views another (Transpose, Reshape, Squeeze, Unsqueeze,
 * Slice, a scalar Gather, Split, Expand) sits in its base value's dense memory. A kernel that reads
 * inputs through views needs no copy pass in front of it; one that writes its output through a view
 * lays it out for its consumer directly. Element (i₀…iₙ₋₁) of the view is element
 * `offset + Σ iₖ·strides[k]` of the base (elements, not bytes). Pure functions, no GPU.
 */
import type { AttrValue, Node, ValueType } from './types.js';
import { fmtShape, shapeSize } from './types.js';
import { NodeError } from '../errors.js';

export interface View {
  shape: number[];
  strides: number[];
  offset: number;
}

export function denseStridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]!; }
  return s;
}

export function denseView(shape: readonly number[]): View {
  return { shape: [...shape], strides: denseStridesOf(shape), offset: 0 };
}

/** True when the view is its base's memory in row-major order (strides of size-1 dims do not matter). */
export function isDenseView(v: View): boolean {
  if (v.offset !== 0) return false;
  const d = denseStridesOf(v.shape);
  return v.shape.every((n, i) => n === 1 || v.strides[i] === d[i]);
}

/** True when the view reads every element of its base exactly once (a permutation of its memory). */
export function isPermutationOf(v: View, baseElements: number): boolean {
  if (v.offset !== 0 || shapeSize(v.shape) !== baseElements) return false;
  const dims = v.shape.map((n, i) => ({ n, s: v.strides[i]! })).filter((d) => d.n !== 1).sort((a, b) => a.s - b.s);
  let expect = 1;
  for (const d of dims) { if (d.s !== expect) return false; expect *= d.n; }
  return true;
}

/** Output dim k is input dim perm[k]. */
export function permuteView(v: View, perm: readonly number[]): View {
  return { shape: perm.map((k) => v.shape[k]!), strides: perm.map((k) => v.strides[k]!), offset: v.offset };
}

/**
 * The view of `v` reshaped to `shape` without moving data, or null when the strides do not allow it
 * (as torch's `view`): runs of input dims that merge into or split from output dims must be
 * contiguous with each other.
 */
export function reshapeView(v: View, shape: readonly number[]): View | null {
  if (shapeSize(v.shape) !== shapeSize(shape)) return null;
  if (shapeSize(shape) === 0) return denseView(shape);
  // Drop size-1 input dims (their strides are free), then match chunks of equal element counts.
  const ins = v.shape.map((n, i) => ({ n, s: v.strides[i]! })).filter((d) => d.n !== 1);
  const strides = new Array<number>(shape.length).fill(0);
  let i = 0, o = 0;
  while (o < shape.length || i < ins.length) {
    // a size-1 output dim takes any stride
    if (o < shape.length && shape[o] === 1) { strides[o] = 1; o++; continue; }
    if (i >= ins.length || o >= shape.length) return null;
    // grow an input chunk and an output chunk until their element counts agree
    let ni = ins[i]!.n, no = shape[o]!;
    const i0 = i, o0 = o;
    while (ni !== no) {
      if (ni < no) { i++; if (i >= ins.length) return null; ni *= ins[i]!.n; } else { o++; if (o >= shape.length) return null; no *= shape[o]!; }
    }
    // the input chunk must be contiguous: stride[k] = stride[k+1]·n[k+1]
    for (let k = i0; k < i; k++) if (ins[k]!.s !== ins[k + 1]!.s * ins[k + 1]!.n) return null;
    // the output chunk gets dense strides ending at the chunk's innermost stride
    let acc = ins[i]!.s;
    for (let k = o; k >= o0; k--) { strides[k] = acc; acc *= shape[k]!; }
    i++; o++;
  }
  return { shape: [...shape], strides, offset: v.offset };
}

/** Elements [start, start + count·step) with step `step` along `axis`. */
export function sliceView(v: View, axis: number, start: number, step: number, count: number): View {
  const shape = [...v.shape], strides = [...v.strides];
  shape[axis] = count;
  strides[axis] = v.strides[axis]! * step;
  return { shape, strides, offset: v.offset + start * v.strides[axis]! };
}

/** Index `index` along `axis`, dropping the axis (Gather with a scalar index). */
export function selectView(v: View, axis: number, index: number): View {
  return {
    shape: v.shape.filter((_, k) => k !== axis),
    strides: v.strides.filter((_, k) => k !== axis),
    offset: v.offset + index * v.strides[axis]!,
  };
}

/** Broadcast to `shape` (right-aligned, numpy rules): broadcast dims get stride 0. Null if not broadcastable. */
export function expandView(v: View, shape: readonly number[]): View | null {
  if (shape.length < v.shape.length) return null;
  const lead = shape.length - v.shape.length;
  const strides: number[] = [];
  for (let k = 0; k < shape.length; k++) {
    if (k < lead) { strides.push(0); continue; }
    const n = v.shape[k - lead]!;
    if (n === shape[k]) strides.push(v.strides[k - lead]!);
    else if (n === 1) strides.push(0);
    else return null;
  }
  return { shape: [...shape], strides, offset: v.offset };
}

/**
 * `outer` read through `inner`: `outer`'s elements are flat indices into a dense value of shape
 * `base`, and `inner` says where each element of that value sits. The composition as one view, or
 * null when no strides say it. Sound, not complete: each dim of `outer` must step along one dim of
 * `base` (after merging neighbours `inner` walks contiguously) without carrying into the next.
 */
export function composeView(outer: View, base: readonly number[], inner: View): View | null {
  // merge base dims that inner walks contiguously; size-1 dims drop out
  const bd: number[] = [], bs: number[] = [];
  base.forEach((n, k) => {
    if (n === 1) return;
    const l = bd.length - 1;
    if (l >= 0 && bs[l] === inner.strides[k]! * n) { bd[l]! *= n; bs[l] = inner.strides[k]!; } else { bd.push(n); bs.push(inner.strides[k]!); }
  });
  const dense = denseStridesOf(bd);
  const size = shapeSize(bd);
  if (outer.offset < 0 || (shapeSize(outer.shape) > 0 && viewExtent(outer) > size)) return null;
  // the offset's digits, then each outer dim's step as a multiple of one base dim's dense stride
  let rem = outer.offset;
  const digit = dense.map((d) => { const q = Math.floor(rem / d); rem -= q * d; return q; });
  const strides = outer.shape.map((n, k) => {
    const s = outer.strides[k]!;
    if (n === 1 || s === 0) return 0;
    const b = dense.findIndex((d) => d <= s && s % d === 0);
    if (b < 0) return NaN;
    const m = s / dense[b]!;
    digit[b]! += (n - 1) * m;
    return m * bs[b]!;
  });
  if (strides.some((x) => Number.isNaN(x)) || digit.some((q, b) => q >= bd[b]!)) return null;
  let offset = inner.offset;
  rem = outer.offset;
  dense.forEach((d, b) => { const q = Math.floor(rem / d); rem -= q * d; offset += q * bs[b]!; });
  return { shape: [...outer.shape], strides, offset };
}

/**
 * For a view that reads every element of its dense base once (isPermutationOf): where each base
 * element sits in the view's row-major order, as strides over the base's coordinates; null when no
 * strides say it.
 */
export function invertPermutation(v: View, baseShape: readonly number[]): View | null {
  const vd = denseStridesOf(v.shape);
  // the view's dims by descending base stride are the base's memory order: as a view of the view's memory
  const dims = v.shape.map((n, k) => ({ n, s: v.strides[k]!, d: vd[k]! })).filter((x) => x.n !== 1).sort((a, b) => b.s - a.s);
  return reshapeView({ shape: dims.map((x) => x.n), strides: dims.map((x) => x.d), offset: 0 }, baseShape);
}

/** Base element index of view coordinates. */
export function viewIndex(v: View, coords: readonly number[]): number {
  let idx = v.offset;
  for (let k = 0; k < coords.length; k++) idx += coords[k]! * v.strides[k]!;
  return idx;
}

/** Gather the view's elements in row-major order from the base's data (CPU; references and folding). */
export function gatherView<T extends Float32Array | Int32Array | Uint32Array>(base: T, v: View): T {
  const n = shapeSize(v.shape);
  const out = new (base.constructor as { new(n: number): T })(n);
  const rank = v.shape.length;
  const c = new Array<number>(rank).fill(0);
  let idx = v.offset;
  for (let e = 0; e < n; e++) {
    out[e] = base[idx]!;
    for (let k = rank - 1; k >= 0; k--) {
      c[k]!++; idx += v.strides[k]!;
      if (c[k]! < v.shape[k]!) break;
      idx -= c[k]! * v.strides[k]!; c[k] = 0;
    }
  }
  return out;
}

/** Scatter row-major `data` into `base` at the view's places (CPU; the reference of a strided output). */
export function scatterView<T extends Float32Array | Int32Array | Uint32Array>(base: T, v: View, data: ArrayLike<number>): void {
  const n = shapeSize(v.shape);
  const rank = v.shape.length;
  const c = new Array<number>(rank).fill(0);
  let idx = v.offset;
  for (let e = 0; e < n; e++) {
    base[idx] = data[e]!;
    for (let k = rank - 1; k >= 0; k--) {
      c[k]!++; idx += v.strides[k]!;
      if (c[k]! < v.shape[k]!) break;
      idx -= c[k]! * v.strides[k]!; c[k] = 0;
    }
  }
}

/** Node attribute names that carry views (set by passes, read by the compiler). */
export const inputViewAttr = (i: number) => `wgml_view_${i}`;
export const OUTPUT_VIEW_ATTR = 'wgml_out_view';

export function viewAttr(v: View): AttrValue {
  return { kind: 'ints', value: [v.shape.length, ...v.shape, ...v.strides, v.offset] };
}

export function viewFromAttr(a: AttrValue | undefined): View | null {
  if (!a || a.kind !== 'ints') return null;
  const r = a.value[0]!;
  return { shape: a.value.slice(1, 1 + r), strides: a.value.slice(1 + r, 1 + 2 * r), offset: a.value[1 + 2 * r]! };
}

/** Smallest base size (elements) a view reads: its last element + 1 (0 for an empty view). */
export function viewExtent(v: View): number {
  if (shapeSize(v.shape) === 0) return 0;
  return v.offset + v.shape.reduce((a, n, k) => a + (n - 1) * Math.max(0, v.strides[k]!), 0) + 1;
}

export function fmtView(v: View): string {
  return `[${v.shape.join(', ')}] strides [${v.strides.join(', ')}]${v.offset ? ` +${v.offset}` : ''}`;
}

/** The views a node's attributes give its inputs (null: the input as it is) and its output 0. */
export function nodeViews(node: { inputs: readonly string[]; attrs: Record<string, AttrValue> }): { inputs: (View | null)[]; output: View | null } {
  return { inputs: node.inputs.map((_, i) => viewFromAttr(node.attrs[inputViewAttr(i)])), output: viewFromAttr(node.attrs[OUTPUT_VIEW_ATTR]) };
}

/** True when any input or the output of the node is re-viewed. */
export function hasViews(node: { attrs: Record<string, AttrValue> }): boolean {
  return Object.keys(node.attrs).some((k) => k.startsWith('wgml_view_') || k === OUTPUT_VIEW_ATTR);
}

/**
 * The input types an op's rules see: a re-viewed input has its view's shape (the binding stays the base
 * value's memory). Views come from passes; one the op cannot read, or one reaching past its base, is a
 * pass bug, refused here rather than read out of bounds.
 */
export function viewedTypes(node: Node, ins: (ValueType | null)[], views: readonly (View | null)[], allowed: readonly number[]): (ValueType | null)[] {
  return ins.map((t, i) => {
    const v = views[i];
    if (!v || !t) return t;
    if (!allowed.includes(i) || viewExtent(v) > shapeSize(t.shape))
      throw new NodeError(node, `input ${i} ('${node.inputs[i]}', ${fmtShape(t.shape)}) is re-viewed as ${fmtView(v)}, which ${allowed.includes(i) ? 'reaches past the value' : `${node.opType} cannot read`}`, 'this is a bug in a wgml pass', { internal: true });
    return { dtype: t.dtype, shape: v.shape };
  });
}

