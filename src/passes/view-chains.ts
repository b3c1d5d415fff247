/**
 * View chains: a value made by ops that only re-view their input (Transpose, Reshape, Slice, a constant
 * Gather…) is a strided view of the value at the chain's start, and a value that only a chain of
 * bijective re-views consumes can be written straight into the chain's end. Passes use these to let
 * kernels read and write through strides instead of running copy kernels. What each op does to a view
 * comes from the op table through {@link ViewRules} (passes never import ops/).
 */
import type { Graph, Node, ValueType } from '../ir/types.js';
import { shapeSize } from '../ir/types.js';
import { composeView, denseView, invertPermutation, isPermutationOf, type View } from '../ir/view.js';

export interface ViewRules {
  /** Output `k` of `node` as a view, given where its input 0 sits; null when the node is no re-view. */
  viewOf(node: Node, k: number, input: View): View | null;
  /** Inputs whose kernels read through views (none when the op cannot). */
  viewInputs(node: Node): readonly number[];
  /** Whether output 0 can be written through a view. */
  viewOutput(node: Node): boolean;
  /** Whether `node` may read input `which` (or write its output, 'out') through `view` (OpDef.acceptsView; default yes). */
  acceptsView?(node: Node, which: number | 'out', view: View): boolean;
  /** Output 0 is input 0's memory reinterpreted (Reshape, Squeeze…): no kernel runs. */
  isAlias?(node: Node): boolean;
  /** The kernels bind a value that appears as several inputs once (OpDef.sharedInputs). */
  sharedInputs?(node: Node): boolean;
  /**
   * Output element i depends on input elements at i only, inputs broadcasting numpy-style to the output
   * (elementwise ops, FusedElementwise): a permuting chain after it folds into views of its inputs.
   */
  pointwise?(node: Node): boolean;
}

/** Where a value's elements sit: `view` over the memory of value `base`. */
export interface ViewOf { base: string; view: View; chain: Node[] }

export type Producers = Map<string, { node: Node; k: number }>;

export function producers(g: Graph): Producers {
  const m: Producers = new Map();
  for (const n of g.nodes) n.outputs.forEach((o, k) => { if (o) m.set(o, { node: n, k }); });
  return m;
}

/**
 * Follow `value` back through re-viewing nodes to the first value that is not one (a kernel's output,
 * a graph input or a constant); `stop(v)` ends the walk early (e.g. at values that must stay). The chain
 * lists the re-viewing nodes, last first.
 */
export function resolveInputView(value: string, prod: Producers, types: Map<string, ValueType>, rules: ViewRules, stop: (v: string) => boolean = () => false): ViewOf {
  const t = types.get(value);
  const here: ViewOf = { base: value, view: denseView(t?.shape ?? []), chain: [] };
  if (!t || stop(value)) return here;
  const p = prod.get(value);
  if (!p || !p.node.inputs[0]) return here;
  const src = p.node.inputs[0];
  // A node that re-views nothing ends the walk here, before it climbs the rest of the graph.
  const srcType = types.get(src);
  if (!srcType || !rules.viewOf(p.node, p.k, denseView(srcType.shape))) return here;
  const up = resolveInputView(src, prod, types, rules, stop);
  const v = rules.viewOf(p.node, p.k, up.view);
  if (!v || shapeSize(v.shape) !== shapeSize(t.shape) || v.shape.some((d, i) => d !== t.shape[i])) {
    // The node re-views its input, but not the composed view: try it on its input as a dense base.
    if (up.base !== src) {
      const direct = rules.viewOf(p.node, p.k, denseView(types.get(src)?.shape ?? []));
      if (direct && direct.shape.every((d, i) => d === t.shape[i])) return { base: src, view: direct, chain: [p.node] };
    }
    return here;
  }
  return { base: up.base, view: v, chain: [p.node, ...up.chain] };
}

/**
 * If `value` is read only by a chain of re-views that permute its elements (Transpose, Reshape,
 * Squeeze…, each value read by one node, none a graph output), the chain's last value and where
 * `value`'s elements sit in it: a producer can write that value directly. Null when there is no chain.
 */
export function resolveOutputView(value: string, uses: Map<string, Node[]>, outs: Set<string>, types: Map<string, ValueType>, rules: ViewRules): { target: string; view: View; chain: Node[] } | null {
  const chain: Node[] = [];
  let v = value;
  for (;;) {
    if (outs.has(v)) break;
    const u = uses.get(v);
    if (!u || u.length !== 1) break;
    const n = u[0]!;
    if (n.inputs[0] !== v || n.inputs.slice(1).includes(v) || n.outputs.filter(Boolean).length !== 1) break;
    const tin = types.get(v), tout = types.get(n.outputs[0]!);
    if (!tin || !tout || shapeSize(tin.shape) !== shapeSize(tout.shape)) break;
    // Only element permutations: the forward view of the input must read every element once.
    const fwd = rules.viewOf(n, 0, denseView(tin.shape));
    if (!fwd || !isPermutationOf(fwd, shapeSize(tin.shape))) break;
    chain.push(n);
    v = n.outputs[0]!;
  }
  // Shorten the chain until where its input's elements land is expressible as strides.
  while (chain.length) {
    const view = chainView(chain, types, rules);
    if (view) return { target: chain[chain.length - 1]!.outputs[0]!, view, chain };
    chain.pop();
  }
  return null;
}

/**
 * Where element c of the chain's input lands in the (dense) memory of its last value, as strides over
 * the input's coordinates, or null when no strides say it. Each step is a permutation of its input's
 * memory: its inverse is a view over the step's input coordinates (invertPermutation), composed onto
 * the map so far (composeView) — O(rank) per step. When that sound but incomplete algebra finds
 * nothing, small values are settled by checking every element.
 */
function chainView(chain: Node[], types: Map<string, ValueType>, rules: ViewRules): View | null {
  const steps = chain.map((n) => {
    const inShape = types.get(n.inputs[0]!)!.shape, outShape = types.get(n.outputs[0]!)!.shape;
    return { inShape, fwd: rules.viewOf(n, 0, denseView(inShape))!, outDense: denseView(outShape).strides };
  });
  const shape = types.get(chain[0]!.inputs[0]!)!.shape;
  let u: View | null = denseView(shape);
  for (const s of steps) {
    const inv = invertPermutation(s.fwd, s.inShape);
    u = inv && composeView(u, s.inShape, inv);
    if (!u) break;
  }
  if (u) return u;
  const n = shapeSize(shape);
  return n <= 1 << 16 ? checkedChainView(steps, shape) : null;
}

/** Coordinates of element `m` of a permutation view (a mixed-radix decomposition by stride). */
function coordsOf(v: View, m: number): number[] {
  return v.shape.map((n, k) => (n === 1 ? 0 : Math.floor(m / v.strides[k]!) % n));
}

/** chainView by brute force: strides from unit steps, then every element checked. */
function checkedChainView(steps: { fwd: View; outDense: number[] }[], shape: readonly number[]): View | null {
  // flat index in the chain's input → flat index in its last value
  const land = (m: number) => {
    for (const s of steps) { const d = coordsOf(s.fwd, m); m = d.reduce((a, c, k) => a + c * s.outDense[k]!, 0); }
    return m;
  };
  const dense = denseView(shape).strides;
  const offset = land(0);
  const strides = shape.map((n, k) => (n > 1 ? land(dense[k]!) - offset : 0));
  const view: View = { shape: [...shape], strides, offset };
  const n = shapeSize(shape);
  for (let m = 0; m < n; m++) {
    let r = m, idx = offset;
    for (let k = 0; k < shape.length; k++) { const c = Math.floor(r / dense[k]!); r -= c * dense[k]!; idx += c * strides[k]!; }
    if (idx !== land(m)) return null;
  }
  return view;
}
