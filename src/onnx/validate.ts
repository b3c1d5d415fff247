/**
 * Structural checks on an imported graph: opset domains, SSA (each value defined once), every used
 * value defined somewhere, and nodes in topological order (sorted when the file is out of order; a
 * real cycle is refused). Subgraphs (If/Loop/Scan bodies) are checked with the outer scope visible.
 */
import { ModelFormatError } from '../errors.js';
import type { Graph, Node } from '../ir/types.js';

/** Opsets of the default ONNX domain wgml imports, inclusive. */
export const SUPPORTED_OPSETS: readonly [number, number] = [1, 21];

function subgraphs(n: Node): Graph[] {
  return Object.values(n.attrs).flatMap((a) => (a.kind === 'graph' ? [a.value] : []));
}

/** Names a subgraph reads from its enclosing scopes. */
export function freeVariables(g: Graph): Set<string> {
  const defined = new Set<string>([...g.inputs.map((v) => v.name), ...g.initializers.keys()]);
  for (const n of g.nodes) for (const o of n.outputs) if (o) defined.add(o);
  const free = new Set<string>();
  const use = (name: string) => { if (name && !defined.has(name)) free.add(name); };
  for (const n of g.nodes) {
    n.inputs.forEach(use);
    for (const sg of subgraphs(n)) freeVariables(sg).forEach(use);
  }
  g.outputs.forEach((o) => use(o.name));
  return free;
}

/** Every value a node needs before it can run: its inputs and its subgraphs' outer-scope reads. */
function nodeDeps(n: Node): string[] {
  const deps = new Set(n.inputs.filter((x) => x));
  for (const sg of subgraphs(n)) for (const v of freeVariables(sg)) deps.add(v);
  return [...deps];
}

const fmt = (where: string) => (where === 'main graph' ? 'the main graph' : `subgraph '${where}'`);

/** Validate (and topologically sort, if needed) the graph in place; returns it. */
export function validateGraph(g: Graph, outer: ReadonlySet<string> = new Set(), where = 'main graph'): Graph {
  for (const n of g.nodes) {
    if (g.opsets[n.domain] === undefined) {
      throw new ModelFormatError(`node '${n.name}' (${n.opType}) is in domain '${n.domain || 'ai.onnx'}', which the model does not import`,
        'add the domain to the model\'s opset_import; the file is inconsistent', { node: n.name, op: n.opType, domain: n.domain });
    }
  }
  const producer = new Map<string, number>();
  const own = new Set<string>();
  const define = (name: string, what: string, node?: Node) => {
    if (own.has(name)) {
      throw new ModelFormatError(`value '${name}' is defined twice in ${fmt(where)} (again as ${what})`,
        'every ONNX value must be produced exactly once; the file is corrupt or was edited by hand', { value: name, node: node?.name });
    }
    own.add(name);
  };
  for (const v of g.inputs) define(v.name, 'a graph input');
  for (const name of g.initializers.keys()) define(name, 'an initializer');
  g.nodes.forEach((n, i) => {
    for (const o of n.outputs) {
      if (!o) continue;
      define(o, `output of node '${n.name}' (${n.opType})`, n);
      producer.set(o, i);
    }
  });
  const visible = (name: string) => own.has(name) || outer.has(name);
  const deps = g.nodes.map((n) => {
    const d = nodeDeps(n);
    for (const x of d) {
      if (!visible(x)) {
        throw new ModelFormatError(`node '${n.name}' (${n.opType}) reads value '${x}', which no node produces and which is not a graph input or initializer`,
          'the graph is dangling: the file is corrupt or was pruned incorrectly; re-export it', { node: n.name, op: n.opType, value: x });
      }
    }
    return d;
  });
  const seenOut = new Set<string>();
  for (const o of g.outputs) {
    if (!visible(o.name)) throw new ModelFormatError(`graph output '${o.name}' of ${fmt(where)} is produced by nothing`, 'the file is corrupt; re-export it', { value: o.name });
    if (seenOut.has(o.name)) throw new ModelFormatError(`graph output '${o.name}' of ${fmt(where)} is listed twice`, 'list each output once; the file is corrupt', { value: o.name });
    seenOut.add(o.name);
  }
  g.nodes = topoSort(g.nodes, deps, producer, where);
  const scope = new Set([...outer, ...own]);
  for (const n of g.nodes) for (const [k, a] of Object.entries(n.attrs)) if (a.kind === 'graph') validateGraph(a.value, scope, `${n.name}.${k}`);
  return g;
}

/** Stable topological order (file order wherever it is already valid); throws on a cycle. */
function topoSort(nodes: Node[], deps: string[][], producer: Map<string, number>, where: string): Node[] {
  const preds = deps.map((d) => [...new Set(d.map((x) => producer.get(x)).filter((p): p is number => p !== undefined))]);
  if (preds.every((ps, i) => ps.every((p) => p < i))) return nodes;
  const indeg = preds.map((ps) => ps.length);
  const succ: number[][] = nodes.map(() => []);
  preds.forEach((ps, i) => ps.forEach((p) => succ[p]!.push(i)));
  // A sorted ready list keeps the file's order among independent nodes.
  const ready = indeg.flatMap((d, i) => (d === 0 ? [i] : []));
  const order: number[] = [];
  while (ready.length) {
    const i = ready.shift()!;
    order.push(i);
    for (const s of succ[i]!) {
      if (--indeg[s]! === 0) {
        let k = ready.length;
        while (k > 0 && ready[k - 1]! > s) k--;
        ready.splice(k, 0, s);
      }
    }
  }
  if (order.length < nodes.length) {
    const stuck = nodes.filter((_, i) => indeg[i]! > 0).map((n) => `'${n.name}' (${n.opType})`);
    throw new ModelFormatError(`${fmt(where)} has a cycle through node(s) ${stuck.slice(0, 8).join(', ')}${stuck.length > 8 ? ', …' : ''}`,
      'ONNX graphs must be acyclic (loops are expressed with Loop); the file is corrupt', { nodes: stuck });
  }
  return order.map((i) => nodes[i]!);
}
