/**
 * Epilogue fusion: fold a residual Add and one activation into the kernel that produces the value
 * (Conv, ConvTranspose), so the value is written once instead of read and written by two more
 * kernels. MatMul and Gemm take any elementwise epilogue instead (passes/fuse-gemm-epilogue.ts).
 * Recorded in attributes the kernels read through ops/epilogue.ts.
 * Patterns: P → Add(P, R) with R of P's shape; P → an activation whose op definition names its
 * epilogue form (OpFacts.epilogueActivation: Relu, LeakyRelu, Clip(const), Sigmoid, HardSigmoid,
 * HardSwish, Tanh); P → Sigmoid → Mul(P, ·) (SiLU/Swish). Order: residual, then activation.
 * Nodes that read or write through views (passes/views.ts) stay as they are: an epilogue runs at the
 * producer's own output index.
 */
import type { AttrValue, Graph, HostTensor, Node, ValueType } from '../ir/types.js';
import { consumers, graphOutputNames, singleUse } from './graph-util.js';
import { hasViews, OUTPUT_VIEW_ATTR } from '../ir/view.js';
import type { OpFacts } from './op-facts.js';

const PRODUCERS = new Set(['Conv', 'ConvTranspose']);

function sameShape(a?: ValueType, b?: ValueType): boolean {
  return !!a && !!b && a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
}

/** `facts` says which nodes are activations a producer can apply (ops/registry.ts `opFacts`). */
export function fuseEpilogues(g: Graph, types: Map<string, ValueType>, constants: Map<string, HostTensor>, facts: OpFacts): Graph {
  let nodes = g.nodes.map((n) => ({ ...n, inputs: [...n.inputs], outputs: [...n.outputs], attrs: { ...n.attrs } }));
  const outs = graphOutputNames(g);
  let changed = true;
  while (changed) {
    changed = false;
    const cur: Graph = { ...g, nodes };
    const uses = consumers(cur);
    const drop = new Set<Node>();
    const producedAt = new Map<string, number>();
    nodes.forEach((n, i) => n.outputs.forEach((o) => o && producedAt.set(o, i)));
    for (const [pi, p] of nodes.entries()) {
      if (drop.has(p) || !PRODUCERS.has(p.opType) || p.domain !== '' || p.attrs[OUTPUT_VIEW_ATTR]) continue;
      const out = p.outputs[0]!;
      const hasAct = 'wgml_act' in p.attrs;
      const hasRes = 'wgml_residual' in p.attrs;
      const uses0 = uses.get(out) ?? [];
      // SiLU: P → Sigmoid(P) → Mul(P, sigmoid) with P read by exactly those two.
      if (!hasAct && !outs.has(out) && uses0.length === 2) {
        const sig = uses0.find((n) => n.opType === 'Sigmoid' && n.domain === '');
        const mul = uses0.find((n) => n.opType === 'Mul' && n.domain === '');
        if (sig && mul && !hasViews(sig) && !hasViews(mul) && singleUse(sig.outputs[0]!, uses, outs) === mul && mul.inputs.includes(out) && mul.inputs.includes(sig.outputs[0]!)) {
          p.attrs.wgml_act = { kind: 'string', value: 'silu' };
          p.outputs[0] = mul.outputs[0]!;
          drop.add(sig); drop.add(mul); changed = true;
          continue;
        }
      }
      const c = singleUse(out, uses, outs);
      if (!c || drop.has(c) || hasViews(c)) continue;
      if (!hasAct && !hasRes && c.opType === 'Add' && c.domain === '') {
        const other = c.inputs[0] === out ? c.inputs[1]! : c.inputs[0]!;
        // the residual must exist when P runs: P moves the Add to its own place in the schedule
        const ready = (producedAt.get(other) ?? -1) < pi;
        if (other !== out && ready && sameShape(types.get(other), types.get(out)) && sameShape(types.get(c.outputs[0]!), types.get(out))
          && types.get(other)!.dtype === types.get(out)!.dtype) {
          p.attrs.wgml_residual = { kind: 'int', value: 1 };
          p.inputs.push(other);
          p.outputs[0] = c.outputs[0]!;
          drop.add(c); changed = true;
          continue;
        }
      }
      if (!hasAct) {
        const a = c.domain === '' || c.domain === 'wgml' ? facts.epilogueActivation(c, constants) : null;
        if (a && c.inputs[0] === out) {
          p.attrs.wgml_act = { kind: 'string', value: a.act } as AttrValue;
          if (a.params.length) p.attrs.wgml_act_params = { kind: 'floats', value: a.params };
          p.outputs[0] = c.outputs[0]!;
          drop.add(c); changed = true;
        }
      }
    }
    nodes = nodes.filter((n) => !drop.has(n));
  }
  return { ...g, nodes };
}
