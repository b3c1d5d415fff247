/**
 * If (https://onnx.ai/onnx/operators/onnx__If.html), expanded at specialization so the GPU never
 * branches on the CPU: with a compile-time condition the taken branch is inlined; with a runtime
 * condition both branches are inlined and each output is chosen per element with Where (the
 * branches must then agree on output shapes). Branch-local names get a unique prefix; names the
 * branch reads from the enclosing graph stay as they are.
 */
import type { Graph, HostTensor, Node } from './types.js';
import { NodeError } from '../errors.js';

/** Rename the free references of a nested graph (names it does not define itself). */
function renameFree(g: Graph, rename: (v: string) => string): Graph {
  const own = new Set<string>([...g.initializers.keys(), ...g.inputs.map((i) => i.name), ...g.nodes.flatMap((n) => n.outputs)]);
  const r = (v: string) => (own.has(v) ? v : rename(v));
  return { ...g, nodes: g.nodes.map((n) => renameNode(n, r, (v) => v)), outputs: g.outputs.map((o) => ({ ...o, name: r(o.name) })) };
}

function renameNode(n: Node, inRename: (v: string) => string, outRename: (v: string) => string): Node {
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

/** Nodes that replace an If node. `cond` is the condition's value when known at compile time. */
export function expandIf(node: Node, cond: HostTensor | undefined, uid: number, constants: Map<string, HostTensor>): Node[] {
  const then = node.attrs.then_branch, els = node.attrs.else_branch;
  if (then?.kind !== 'graph' || els?.kind !== 'graph') throw new NodeError(node, 'If needs then_branch and else_branch graph attributes', 're-export the model');
  const pick = (g: Graph, tag: string) => inline(g, `${node.name || 'if'}#${uid}/${tag}/`, constants);
  const id = (from: string, to: string, k: number): Node => ({ name: `${node.name}#${uid}/out${k}`, opType: 'Identity', domain: '', inputs: [from], outputs: [to], attrs: {} });
  if (cond) {
    const b = pick(cond.data[0] ? then.value : els.value, cond.data[0] ? 'then' : 'else');
    if (b.outputs.length !== node.outputs.length) throw new NodeError(node, `the taken branch has ${b.outputs.length} outputs; the node has ${node.outputs.length}`, 're-export the model');
    return [...b.nodes, ...node.outputs.map((o, k) => id(b.outputs[k]!, o, k))];
  }
  const t = pick(then.value, 'then'), e = pick(els.value, 'else');
  if (t.outputs.length !== node.outputs.length || e.outputs.length !== node.outputs.length)
    throw new NodeError(node, 'the branches and the node disagree on the number of outputs', 're-export the model');
  const where = node.outputs.map((o, k): Node => ({ name: `${node.name}#${uid}/select${k}`, opType: 'Where', domain: '', inputs: [node.inputs[0]!, t.outputs[k]!, e.outputs[k]!], outputs: [o], attrs: {} }));
  return [...t.nodes, ...e.nodes, ...where];
}
