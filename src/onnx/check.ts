/**
 * Load-time refusal of ops wgml cannot run: one {@link UnsupportedOpsError} listing every such node,
 * subgraphs included, so a user sees the whole list at once. The op table is a parameter: onnx/ never
 * imports ops/.
 */
import { UnsupportedOpsError, type UnsupportedNode } from '../errors.js';
import type { Graph } from '../ir/types.js';

export interface OpLookup {
  /** The implementation of this op, or undefined/null when there is none. */
  lookup(type: string, domain: string, opset: number): unknown;
  /** Why lookup failed (e.g. implemented for other opsets); defaults to "not implemented". */
  why?(type: string, domain: string, opset: number): string;
}

/** Every node (subgraphs included, with a dotted path in `name`) whose op the table lacks. */
export function unsupportedNodes(graph: Graph, rules: OpLookup, prefix = ''): UnsupportedNode[] {
  const out: UnsupportedNode[] = [];
  for (const n of graph.nodes) {
    const opset = graph.opsets[n.domain] ?? graph.opsets[n.domain === '' ? 'ai.onnx' : n.domain] ?? 0;
    if (!rules.lookup(n.opType, n.domain, opset)) {
      out.push({ name: prefix + n.name, opType: n.opType, domain: n.domain, opset,
        reason: rules.why?.(n.opType, n.domain, opset) ?? 'wgml has no kernel for this op' });
    }
    for (const [k, a] of Object.entries(n.attrs)) if (a.kind === 'graph') out.push(...unsupportedNodes(a.value, rules, `${prefix}${n.name}.${k}/`));
  }
  return out;
}

/** Throws one UnsupportedOpsError listing every node the table cannot run. */
export function checkSupported(graph: Graph, rules: OpLookup): void {
  const bad = unsupportedNodes(graph, rules);
  if (bad.length) throw new UnsupportedOpsError(bad);
}
