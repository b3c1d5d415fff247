/**
 * If (https://onnx.ai/onnx/operators/onnx__If.html), expanded at specialization so the GPU never
 * branches on the CPU: with a compile-time condition the taken branch is inlined; with a runtime
 * condition both branches are inlined and each output is chosen per element with Where (the
 * branches must then agree on output shapes). Branch-local names get a unique prefix; names the
 * branch reads from the enclosing graph stay as they are.
 *
 * A branch whose shapes do not hold for the given inputs (Silero VAD's 8 kHz branch fed a 16 kHz
 * frame builds a 5-D LSTM input) could never run with them: onnxruntime would fail if it were taken.
 * Specialization then keeps the other branch alone ({@link selectNodes} with `null`): its float
 * outputs become NaN when the condition picks the impossible branch, so the mistake is visible
 * rather than answered with the other branch's numbers.
 */
import type { Graph, HostTensor, Node } from './types.js';
import { NodeError } from '../errors.js';

/** Rename the free references of a nested graph (names it does not define itself). */
function renameFree(g: Graph, rename: (v: string) => string): Graph {
  const own = new Set<string>([...g.initializers.keys(), ...g.inputs.map((i) => i.name), ...g.nodes.flatMap((n) => n.outputs)]);
  const r = (v: string) => (own.has(v) ? v : rename(v));
  return { ...g, nodes: g.nodes.map((n) => renameNode(n, r, (v) => v)), outputs: g.outputs.map((o) => ({ ...o, name: r(o.name) })) };
}

/** The node with its inputs and outputs renamed; nested graphs' free references follow `inRename`. */
export function renameNode(n: Node, inRename: (v: string) => string, outRename: (v: string) => string): Node {
  const attrs = Object.fromEntries(Object.entries(n.attrs).map(([k, a]) => [k, a.kind === 'graph' ? { kind: 'graph' as const, value: renameFree(a.value, inRename) } : a]));
  return { ...n, inputs: n.inputs.map(inRename), outputs: n.outputs.map(outRename), attrs };
}

function inline(branch: Graph, prefix: string, constants: Map<string, HostTensor>): { nodes: Node[]; outputs: string[] } {
  const local = new Set<string>([...branch.initializers.keys(), ...branch.nodes.flatMap((n) => n.outputs)]);
  const rename = (v: string) => (v && local.has(v) ? `${prefix}${v}` : v);
  for (const [k, t] of branch.initializers) constants.set(rename(k), t);
  // nested subgraphs (an If inside a branch) read this branch's values by their old names too
  const nodes = branch.nodes.map((n) => ({ ...renameNode(n, rename, rename), name: `${prefix}${n.name}` }));
  return { nodes, outputs: branch.outputs.map((o) => rename(o.name)) };
}

function branches(node: Node): { then: Graph; else: Graph } {
  const then = node.attrs.then_branch, els = node.attrs.else_branch;
  if (then?.kind !== 'graph' || els?.kind !== 'graph') throw new NodeError(node, 'If needs then_branch and else_branch graph attributes', 're-export the model');
  return { then: then.value, else: els.value };
}

const pick = (node: Node, g: Graph, uid: number, tag: string, constants: Map<string, HostTensor>) => inline(g, `${node.name || 'if'}#${uid}/${tag}/`, constants);
const identity = (node: Node, uid: number, from: string, to: string, k: number): Node => ({ name: `${node.name}#${uid}/out${k}`, opType: 'Identity', domain: '', inputs: [from], outputs: [to], attrs: {} });

/** Nodes that replace an If node whose condition `cond` is known at compile time. */
export function expandIf(node: Node, cond: HostTensor, uid: number, constants: Map<string, HostTensor>): Node[] {
  const g = branches(node);
  const b = pick(node, cond.data[0] ? g.then : g.else, uid, cond.data[0] ? 'then' : 'else', constants);
  if (b.outputs.length !== node.outputs.length) throw new NodeError(node, `the taken branch has ${b.outputs.length} outputs; the node has ${node.outputs.length}`, 're-export the model');
  return [...b.nodes, ...node.outputs.map((o, k) => identity(node, uid, b.outputs[k]!, o, k))];
}

/** Both branches of an If with a runtime condition, inlined; {@link selectNodes} then joins them. */
export function inlineBranches(node: Node, uid: number, constants: Map<string, HostTensor>): { then: { nodes: Node[]; outputs: string[] }; else: { nodes: Node[]; outputs: string[] } } {
  const g = branches(node);
  const t = pick(node, g.then, uid, 'then', constants), e = pick(node, g.else, uid, 'else', constants);
  if (t.outputs.length !== node.outputs.length || e.outputs.length !== node.outputs.length)
    throw new NodeError(node, 'the branches and the node disagree on the number of outputs', 're-export the model');
  return { then: t, else: e };
}

/**
 * The If's outputs from its branches' outputs: Where(cond, then, else) per output. A branch given as
 * null cannot run with these inputs: its side becomes NaN (`nan(k)` names a NaN scalar constant of
 * output k's type, or returns null for non-float outputs, which then take the other branch as is).
 */
export function selectNodes(node: Node, uid: number, then: string[] | null, els: string[] | null, nan: (k: number) => string | null): Node[] {
  return node.outputs.map((o, k): Node => {
    const t = then?.[k], e = els?.[k];
    if (t && e) return { name: `${node.name}#${uid}/select${k}`, opType: 'Where', domain: '', inputs: [node.inputs[0]!, t, e], outputs: [o], attrs: {} };
    const kept = (t ?? e)!;
    const fill = nan(k);
    if (!fill) return identity(node, uid, kept, o, k);
    return { name: `${node.name}#${uid}/select${k}`, opType: 'Where', domain: '', inputs: [node.inputs[0]!, t ?? fill, e ?? fill], outputs: [o], attrs: {} };
  });
}
