/** What each node does to views, from the op table: the {@link ViewRules} the view passes take. */
import { Attrs } from '../ir/attrs.js';
import { opsetOf } from '../ir/infer.js';
import type { Graph, HostTensor, Node, ValueType } from '../ir/types.js';
import { reshapeView, type View } from '../ir/view.js';
import { lookupOp } from '../ops/registry.js';
import type { ViewRules } from '../passes/view-chains.js';
import { inferContext } from './single.js';

export function viewRules(g: Graph, types: Map<string, ValueType>, constants: Map<string, HostTensor>): ViewRules {
  const opOf = (n: Node) => lookupOp(n.opType, n.domain, opsetOf(g, n.domain));
  return {
    viewOf(node, k, input) {
      const op = opOf(node);
      const out = node.outputs[k] ? types.get(node.outputs[k]!) : undefined;
      if (!op || !out || !node.inputs[0]) return null;
      if (op.alias) return k === 0 && op.alias(op.attrs(new Attrs(node), opsetOf(g, node.domain))) === 0 ? reshapeView(input, out.shape) : null;
      if (!op.view) return null;
      const opset = opsetOf(g, node.domain);
      const ins = node.inputs.map((v, i) => (i === 0 ? { dtype: types.get(v)!.dtype, shape: input.shape } : v ? types.get(v) ?? null : null));
      const ctx = inferContext(node, ins, (i) => (i > 0 && node.inputs[i] ? constants.get(node.inputs[i]!) : undefined), opset);
      try {
        return op.view(ctx, op.attrs(new Attrs(node), opset), input, k) as View | null;
      } catch {
        return null; // a node the rules cannot read as a view stays a kernel
      }
    },
    acceptsView(node, which, view) {
      const op = opOf(node);
      if (!op?.acceptsView) return true;
      const opset = opsetOf(g, node.domain);
      const ins = node.inputs.map((v) => (v ? types.get(v) ?? null : null));
      const ctx = inferContext(node, ins, (i) => (node.inputs[i] ? constants.get(node.inputs[i]!) : undefined), opset);
      try {
        return op.acceptsView(ctx, op.attrs(new Attrs(node), opset), which, view);
      } catch {
        return false;
      }
    },
    viewInputs: (node) => opOf(node)?.viewInputs ?? [],
    viewOutput: (node) => !!opOf(node)?.viewOutput,
    isAlias: (node) => {
      const op = opOf(node);
      try { return !!op?.alias && op.alias(op.attrs(new Attrs(node), opsetOf(g, node.domain))) === 0; } catch { return false; }
    },
    sharedInputs: (node) => !!opOf(node)?.sharedInputs,
    // Elementwise ops with numpy broadcasting (not Clip/PRelu's own shape rules) and their fused trees.
    pointwise: (node) => {
      const op = opOf(node);
      if (!op) return false;
      if (op.type === 'FusedElementwise' && op.domain === 'wgml') return true;
      return 'ew' in op && !(op as { ew: { shape?: unknown } }).ew.shape;
    },
  };
}
