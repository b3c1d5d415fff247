/** Small graph queries shared by passes. */
import type { Graph, Node } from '../ir/types.js';

/** value name → nodes that read it. */
export function consumers(g: Graph): Map<string, Node[]> {
  const m = new Map<string, Node[]>();
  // nodes come in order, so a node reading a value twice is the list's last entry
  for (const n of g.nodes) for (const i of n.inputs) if (i) { const l = m.get(i); if (!l) m.set(i, [n]); else if (l[l.length - 1] !== n) l.push(n); }
  return m;
}

export function graphOutputNames(g: Graph): Set<string> {
  return new Set(g.outputs.map((o) => o.name));
}

/** A value read by exactly one node and not a graph output: safe to fuse away. */
export function singleUse(value: string, uses: Map<string, Node[]>, outs: Set<string>): Node | null {
  if (outs.has(value)) return null;
  const l = uses.get(value);
  if (!l || l.length !== 1) return null;
  // a node reading the same value twice still counts as one consumer, but fusing it would be wrong
  if (l[0]!.inputs.filter((i) => i === value).length !== 1) return null;
  return l[0]!;
}
