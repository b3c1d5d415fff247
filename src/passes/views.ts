/**
 * Views instead of copies. Ops that only re-view their input (Transpose, Reshape, Slice, Split, a
 * constant Gather, Expand…) run a copy kernel each (or nothing, for reshapes); a consumer that reads
 * through strides (OpDef.viewInputs) can read the chain's start instead, and a producer can write a
 * permuting chain's end directly. Three rewrites, then dead-node removal:
 *
 * 1. A pointwise node (elementwise, FusedElementwise) followed by a permuting chain (a Transpose back
 *    to NCHW, a Reshape merging heads…) computes in the chain's output layout: each input is read
 *    through its broadcast view carried through the chain. Its consumers then read a dense value, so
 *    elementwise fusion still merges them.
 * 2. Any other producer that declares viewOutput (LayerNorm, Softmax, attention…) writes the chain's
 *    last value through `wgml_out_view`.
 * 3. Every input a consumer declares in viewInputs is rewired to the start of its re-view chain, the
 *    composed view recorded as `wgml_view_<i>` (none when it is the base as it is).
 *
 * Two inputs of one node never end up bound to one base unless the op has sharedInputs: WebGPU
 * refuses overlapping writable bindings, and the compiler would insert a Copy (DEVELOPERS.md). A base
 * read through a view stays alive as long as its reader: the reader now names it. Passes never import
 * ops/: what each op does comes through {@link ViewRules} (runtime/view-rules.ts).
 */
import type { Graph, HostTensor, Node, ValueType } from '../ir/types.js';
import { shapeSize } from '../ir/types.js';
import { denseView, expandView, hasViews, inputViewAttr, isDenseView, OUTPUT_VIEW_ATTR, viewAttr, type View } from '../ir/view.js';
import { consumers, graphOutputNames } from './graph-util.js';
import { producers, resolveInputView, resolveOutputView, type Producers, type ViewRules } from './view-chains.js';

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** Statistics of one run (tests read them). */
export interface ViewStats { inputViews: number; outputViews: number; reshapes: number; pointwise: number; removed: number }

export interface ViewsOptions {
  /**
   * The graph's constants: with them, a re-view that keeps its input's memory order (a Transpose that
   * only moves size-1 dims, as batch-1 [1, S, E] → [S, 1, E]) becomes a Reshape (no kernel), its
   * shape added here.
   */
  constants?: Map<string, HostTensor>;
  stats?: ViewStats;
}

/** A single-output re-view that reads its input in memory order, as a Reshape; otherwise the node. */
function asReshape(n: Node, types: Map<string, ValueType>, rules: ViewRules, constants: Map<string, HostTensor>, opset: number, st: ViewStats): Node {
  if (n.outputs.length !== 1 || !n.outputs[0] || !n.inputs[0] || rules.isAlias?.(n) || opset < 5) return n;
  const tin = types.get(n.inputs[0]), tout = types.get(n.outputs[0]);
  if (!tin || !tout || shapeSize(tin.shape) !== shapeSize(tout.shape) || tout.shape.some((d) => d === 0)) return n;
  const v = rules.viewOf(n, 0, denseView(tin.shape));
  if (!v || !isDenseView(v)) return n;
  const shape = `${n.name || n.outputs[0]}::reshape`;
  constants.set(shape, { dtype: 'int64', shape: [tout.shape.length], data: Int32Array.from(tout.shape) });
  types.set(shape, { dtype: 'int64', shape: [tout.shape.length] });
  st.reshapes++;
  return { name: n.name, opType: 'Reshape', domain: '', inputs: [n.inputs[0], shape], outputs: [n.outputs[0]], attrs: {} };
}

/** Returns a new graph; `g` is not modified. `types` holds every value's static type (after specialize). */
export function applyViews(g: Graph, types: Map<string, ValueType>, rules: ViewRules, opts: ViewsOptions = {}): Graph {
  const st: ViewStats = opts.stats ?? { inputViews: 0, outputViews: 0, reshapes: 0, pointwise: 0, removed: 0 };
  const nodes = opts.constants ? g.nodes.map((n) => asReshape(n, types, rules, opts.constants!, g.opsets[''] ?? 17, st)) : [...g.nodes];
  let prod = producers({ ...g, nodes });
  const outs = graphOutputNames(g);
  /** The value whose memory `v` is, through reshapes (the compiler's alias root). */
  const memRoot = (v: string): string => {
    for (;;) {
      const p = prod.get(v);
      if (!p || p.k !== 0 || !rules.isAlias?.(p.node) || !p.node.inputs[0]) return v;
      v = p.node.inputs[0];
    }
  };

  // 1 and 2: absorb permuting chains after producers. Topological order: a chain's nodes come after
  // its producer, and each chain value is read by its chain only, so a stale use map is enough.
  const uses = consumers({ ...g, nodes });
  const gone = new Set<Node>();
  for (let idx = 0; idx < nodes.length; idx++) {
    const n = nodes[idx]!;
    if (gone.has(n) || !n.outputs[0] || hasViews(n)) continue;
    const pointwise = !!rules.pointwise?.(n) && n.outputs.length === 1;
    if (!pointwise && !rules.viewOutput(n)) continue;
    const res = resolveOutputView(n.outputs[0], uses, outs, types, rules);
    // reshapes alone cost nothing: only chains with a copy in them are worth absorbing
    if (!res || res.chain.every((c) => rules.isAlias?.(c))) continue;
    // A pointwise node whose input comes from another pointwise node would stop the two from fusing
    // (a value read through a view is not computed inline): when the chain's readers can read views
    // themselves, leave the chain to them.
    if (pointwise) {
      const fusesUp = n.inputs.some((v) => { const p = v ? prod.get(v) : undefined; return !!p && !!rules.pointwise?.(p.node) && !outs.has(v!) && (uses.get(v!) ?? []).length === 1; });
      const readers = uses.get(res.target) ?? [];
      const readViews = !outs.has(res.target) && readers.length > 0 && readers.every((c) => c.inputs.every((v, i) => v !== res.target || rules.viewInputs(c).includes(i)));
      if (fusesUp && readViews) continue;
    }
    let next: Node | null;
    if (pointwise) next = pushThrough(n, res.chain, types, rules, prod, memRoot);
    else if (!rules.acceptsView || rules.acceptsView(n, 'out', res.view)) next = { ...n, outputs: [res.target, ...n.outputs.slice(1)], attrs: { ...n.attrs, [OUTPUT_VIEW_ATTR]: viewAttr(res.view) } };
    else next = null;
    if (!next) continue;
    nodes[idx] = next;
    for (const c of res.chain) { gone.add(c); for (const o of c.outputs) prod.delete(o); }
    next.outputs.forEach((o, k) => { if (o) prod.set(o, { node: next!, k }); });
    for (const o of n.outputs) if (o && !next.outputs.includes(o)) prod.delete(o);
    if (pointwise) st.pointwise++; else st.outputViews++;
  }
  const kept = nodes.filter((n) => !gone.has(n));

  // 3: consumers read their inputs through views of the chains' starts.
  prod = producers({ ...g, nodes: kept });
  const rewired = kept.map((n) => viewInputs(n, types, rules, prod, memRoot, st));
  const live = removeDead(rewired, outs);
  st.removed = g.nodes.length - live.length;
  return { ...g, nodes: live };
}

/**
 * Input views of one consumer. An input whose chain is only reshapes keeps its alias (that costs
 * nothing already); one whose view is its base as it is is rewired without a view. An op with
 * sharedInputs binds each input name once, so there several inputs may name one base.
 */
function viewInputs(n: Node, types: Map<string, ValueType>, rules: ViewRules, prod: Producers, memRoot: (v: string) => string, st: ViewStats): Node {
  const allowed = rules.viewInputs(n);
  if (!allowed.length) return n;
  const shared = !!rules.sharedInputs?.(n);
  const inputs = [...n.inputs];
  const attrs = { ...n.attrs };
  const cand = new Map<number, { base: string; view: View }>();
  for (const i of allowed) {
    const v = n.inputs[i];
    if (!v || attrs[inputViewAttr(i)]) continue;
    const r = resolveInputView(v, prod, types, rules);
    if (r.base === v || !r.chain.length) continue;
    // A reshape costs nothing already, unless naming the base lets a shared-input kernel bind it once.
    const aliasOnly = isDenseView(r.view) && r.chain.every((c) => rules.isAlias?.(c));
    if (aliasOnly && !(shared && n.inputs.some((w, j) => w && j !== i && memRoot(w) === memRoot(r.base)))) continue;
    if (rules.acceptsView && !rules.acceptsView(n, i, r.view)) continue;
    cand.set(i, { base: r.base, view: r.view });
  }
  if (!cand.size) return n;
  // Memory each input is bound to: inputs that stay keep theirs; candidates claim their base in order.
  const bound = new Map<number, string>();
  n.inputs.forEach((v, i) => { if (v && !cand.has(i)) bound.set(i, memRoot(v)); });
  for (const [i, c] of cand) {
    const root = memRoot(c.base);
    if (!shared && [...bound.values()].includes(root)) { bound.set(i, memRoot(n.inputs[i]!)); continue; }
    bound.set(i, root);
    inputs[i] = c.base;
    const bt = types.get(c.base);
    if (!(isDenseView(c.view) && bt && sameShape(bt.shape, c.view.shape))) attrs[inputViewAttr(i)] = viewAttr(c.view);
    st.inputViews++;
  }
  return inputs.some((v, i) => v !== n.inputs[i]) ? { ...n, inputs, attrs } : n;
}

/**
 * A pointwise node computing in the layout of the permuting chain after it: each input is read through
 * its broadcast view (over the start of its own re-view chain when it has one) carried through the
 * chain's re-views; scalars broadcast as they are. Null when some input's view has no strides.
 */
function pushThrough(n: Node, chain: Node[], types: Map<string, ValueType>, rules: ViewRules, prod: Producers, memRoot: (v: string) => string): Node | null {
  const outShape = types.get(n.outputs[0]!)!.shape;
  const target = chain[chain.length - 1]!.outputs[0]!;
  const carry = (start: View): View | null => {
    let v = expandView(start, outShape);
    for (const c of chain) {
      if (!v) return null;
      v = rules.viewOf(c, 0, v);
      if (v && !sameShape(v.shape, types.get(c.outputs[0]!)!.shape)) return null;
    }
    return v;
  };
  const allowed = rules.viewInputs(n);
  if (n.inputs.some((v, i) => v && !allowed.includes(i))) return null;
  const shared = !!rules.sharedInputs?.(n);
  const inputs = [...n.inputs];
  const attrs = { ...n.attrs };
  const bound: { root: string; orig: string }[] = [];
  for (let i = 0; i < n.inputs.length; i++) {
    const v = n.inputs[i];
    if (!v) continue;
    const t = types.get(v);
    if (!t) return null;
    // A one-element input broadcasts to any layout as it is (unless its rank would grow the output's).
    if (shapeSize(t.shape) === 1 && t.shape.length <= types.get(target)!.shape.length) { bound.push({ root: memRoot(v), orig: memRoot(v) }); continue; }
    // Over the start of the input's own chain when that stays clear of the other inputs, else over the input itself.
    const r = resolveInputView(v, prod, types, rules);
    const clash = (root: string) => !shared && bound.some((b) => b.root === root && b.orig !== memRoot(v));
    let got: { base: string; view: View } | null = null;
    const viaChain = r.base !== v ? carry(r.view) : null;
    if (viaChain && !clash(memRoot(r.base))) got = { base: r.base, view: viaChain };
    else { const own = carry(denseView(t.shape)); if (own && !clash(memRoot(v))) got = { base: v, view: own }; }
    if (!got || (rules.acceptsView && !rules.acceptsView(n, i, got.view))) return null;
    bound.push({ root: memRoot(got.base), orig: memRoot(v) });
    inputs[i] = got.base;
    attrs[inputViewAttr(i)] = viewAttr(got.view);
  }
  return { ...n, inputs, outputs: [target], attrs };
}

/** Drop nodes none of whose outputs is read or a graph output (a node with no outputs stays, for the compiler to refuse). */
export function removeDead(nodes: Node[], outs: Set<string>): Node[] {
  const live = new Set(outs);
  const keep: boolean[] = new Array(nodes.length).fill(false);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]!;
    const named = n.outputs.filter(Boolean);
    if (named.length && !named.some((o) => live.has(o))) continue;
    keep[i] = true;
    for (const v of n.inputs) if (v) live.add(v);
  }
  return nodes.filter((_, i) => keep[i]);
}
