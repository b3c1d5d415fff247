/**
 * Merge trees of elementwise nodes into one `wgml.FusedElementwise` node (one kernel, no
 * intermediate tensors). A producer joins its consumer's group when its output is read by that one
 * node only and is not a graph output, so every intermediate disappears and nothing else needs it.
 * Views (passes/views.ts) are kept: an input a member reads through a view becomes an input of the
 * fused node read through the same view; a value read through a view is not computed inline (its
 * elements sit elsewhere than the reader's index), and a root's output view stays the fused node's.
 * Which ops are fusable comes from their definitions through OpFacts (passes never import ops/); the
 * program format is documented in src/ops/elementwise/fused.ts.
 */
import type { AttrValue, Graph, Node, ValueType } from '../ir/types.js';
import { inputViewAttr, OUTPUT_VIEW_ATTR } from '../ir/view.js';
import { fusableDomain, stepName, type OpFacts } from './op-facts.js';

export interface FuseElementwiseOptions {
  /** Most distinct external inputs of one fused node (storage bindings: inputs + 1 output ≤ device limit). */
  maxInputs?: number;
}

/**
 * Returns a new graph; `g` is not modified. `types` holds every value's static type (after specialize);
 * `facts` says which ops the fused kernel evaluates (ops/registry.ts `opFacts`).
 */
export function fuseElementwise(g: Graph, types: Map<string, ValueType>, facts: OpFacts, opts: FuseElementwiseOptions = {}): Graph {
  const isFusable = (n: Node): boolean =>
    fusableDomain(n.domain) && facts.isFusable(n) && n.outputs.length === 1 && types.has(n.outputs[0]!);
  const maxInputs = opts.maxInputs ?? 7;
  const producer = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) producer.set(o, n);
  const readers = new Map<string, Set<Node>>();
  for (const n of g.nodes) for (const i of n.inputs) if (i) { const s = readers.get(i) ?? new Set(); s.add(n); readers.set(i, s); }
  const graphOutputs = new Set(g.outputs.map((o) => o.name));

  /** The producer of `v` may be folded into `consumer`. */
  const absorbable = (v: string, consumer: Node): Node | null => {
    const p = producer.get(v);
    if (!p || !isFusable(p) || graphOutputs.has(v) || p.attrs[OUTPUT_VIEW_ATTR]) return null;
    if (consumer.inputs.some((x, k) => x === v && consumer.attrs[inputViewAttr(k)])) return null;
    const r = readers.get(v);
    return r && r.size === 1 && r.has(consumer) ? p : null;
  };

  const taken = new Set<Node>();
  const replaced = new Map<Node, Node>(); // group root → fused node
  const dropped = new Set<Node>();
  // Roots are visited last-to-first, so each group grows from its final node backwards.
  for (let idx = g.nodes.length - 1; idx >= 0; idx--) {
    const root = g.nodes[idx]!;
    if (taken.has(root) || !isFusable(root)) continue;
    const members: Node[] = [];
    const grow = (n: Node) => {
      members.push(n);
      for (const v of n.inputs) { const p = v ? absorbable(v, n) : null; if (p && !members.includes(p)) grow(p); }
    };
    grow(root);
    // Values read by several members (GELU's x in x·½(1+erf(x/√2))) join too once all their readers
    // are in: the program computes them once and reads the step twice.
    for (let more = true; more;) {
      more = false;
      for (const m of [...members]) for (const v of m.inputs) {
        const p = v ? producer.get(v) : undefined;
        if (!p || members.includes(p) || taken.has(p) || !isFusable(p) || graphOutputs.has(v!) || p.attrs[OUTPUT_VIEW_ATTR]) continue;
        const rs = [...readers.get(v!)!];
        if (!rs.every((x) => members.includes(x)) || rs.some((x) => x.inputs.some((y, k) => y === v && x.attrs[inputViewAttr(k)]))) continue;
        grow(p); more = true;
      }
    }
    if (members.length < 2) continue;
    const fused = buildFused(root, members, g.opsets[''] ?? 17);
    if (new Set(fused.inputs).size > maxInputs) continue; // too many bindings: leave this group unfused
    for (const m of members) { taken.add(m); if (m !== root) dropped.add(m); }
    replaced.set(root, fused);
  }
  if (replaced.size === 0) return g;

  const nodes = g.nodes.filter((n) => !dropped.has(n)).map((n) => replaced.get(n) ?? n);
  const gone = new Set([...dropped].flatMap((n) => n.outputs));
  const valueInfo = new Map([...g.valueInfo].filter(([k]) => !gone.has(k)));
  return { ...g, nodes, valueInfo, opsets: { ...g.opsets, wgml: g.opsets['wgml'] ?? 1 } };
}

/** Program steps in dependency order (post-order from the root); external values become inputs. */
function buildFused(root: Node, members: Node[], opset: number): Node {
  const inSet = new Set(members);
  const byOutput = new Map(members.map((m) => [m.outputs[0]!, m]));
  const inputs: string[] = [];
  const inputViews: (AttrValue | undefined)[] = [];
  const keys: string[] = [];
  const order: Node[] = [];
  const visit = (n: Node) => {
    for (const v of n.inputs) { const p = byOutput.get(v); if (p && inSet.has(p) && !order.includes(p)) visit(p); }
    order.push(n);
  };
  visit(root);
  const stepIndex = new Map<Node, number>();
  const argsOf = (n: Node) => n.inputs.map((v, i) => {
    if (!v) return -1;
    const p = byOutput.get(v);
    if (p) return -(stepIndex.get(p)! + 2); // patched below, once the input count is known
    // One fused input per (value, view): the same value read two ways is two inputs.
    const view = n.attrs[inputViewAttr(i)];
    const key = `${v}|${view ? JSON.stringify(view.value) : ''}`;
    let k = keys.indexOf(key);
    if (k < 0) { k = inputs.length; inputs.push(v); inputViews.push(view); keys.push(key); }
    return k;
  });
  const raw = order.map((n, k) => { const args = argsOf(n); stepIndex.set(n, k); return { n, args }; });
  const opAttrs = (n: Node) => Object.fromEntries(Object.entries(n.attrs).filter(([k]) => !k.startsWith('wgml_view_') && k !== OUTPUT_VIEW_ATTR));
  const steps = raw.map(({ n, args }) => {
    const attrs = opAttrs(n);
    return { op: stepName(n), args: args.map((a) => (a <= -2 ? inputs.length + (-a - 2) : a)), ...(Object.keys(attrs).length ? { attrs } : {}) };
  });
  const attrs: Record<string, AttrValue> = { wgml_program: { kind: 'string', value: JSON.stringify({ opset, inputs: inputs.length, steps }) } };
  inputViews.forEach((v, k) => { if (v) attrs[inputViewAttr(k)] = v; });
  if (root.attrs[OUTPUT_VIEW_ATTR]) attrs[OUTPUT_VIEW_ATTR] = root.attrs[OUTPUT_VIEW_ATTR];
  return {
    name: `fused_${root.name || root.outputs[0]}`,
    opType: 'FusedElementwise',
    domain: 'wgml',
    inputs,
    outputs: [...root.outputs],
    attrs,
  };
}
