/**
 * onnxruntime contrib ops that are ONNX ops plus an Add, rewritten at import so wgml's fusion passes
 * see the parts (https://github.com/microsoft/onnxruntime/blob/main/docs/ContribOperators.md):
 * - com.microsoft.BiasGelu(X, bias) → Add → com.microsoft.Gelu; FastGelu(X, bias) → Add → FastGelu(X).
 *   The Add and the GELU fuse into one kernel, or into the MatMul that produced X as its epilogue.
 * - com.microsoft.SkipLayerNormalization(input, skip, gamma, beta?, bias?) → Add(input, skip) [→ Add
 *   bias] → LayerNormalization(axis -1, epsilon default 1e-12). The Adds become the epilogue of the
 *   GEMM before them and the LayerNorm its second output (passes/fuse-gemm-epilogue.ts), so the
 *   residual + norm costs no pass of its own; output 3 (input_skip_bias_sum, the residual stream of a
 *   pre-norm model) is the sum's value itself.
 * - SkipSimplifiedLayerNormalization(input, skip, gamma, bias?) likewise → SimplifiedLayerNormalization.
 * onnxruntime's CPU kernel never computes the Skip ops' mean / inv_std_var outputs (1, 2): named but
 * unread, they are dropped; read, the node is refused. So is SimplifiedLayerNormalization's unread
 * inv_std_var dropped, which the GPU kernel does not write.
 * - The QOperator quantization ops (QLinearAdd, QGemm, …) become their float op between DequantizeLinear and
 *   QuantizeLinear (onnx/qoperator.ts).
 */
import { NodeError } from '../errors.js';
import type { Graph, Node } from '../ir/types.js';
import { expandQOperator, isQOperator } from './qoperator.js';

const MS = 'com.microsoft';

/** Names of every value read by these nodes, their subgraphs' nodes included, or output by the graph. */
function readNames(nodes: readonly Node[], outputs: readonly string[], into = new Set<string>(outputs)): Set<string> {
  for (const n of nodes) {
    for (const i of n.inputs) if (i) into.add(i);
    for (const a of Object.values(n.attrs)) if (a.kind === 'graph') readNames((a.value as Graph).nodes, (a.value as Graph).outputs.map((o) => o.name), into);
  }
  return into;
}

/** `n`'s inputs with omitted trailing ones cut, so 'beta' and '' read alike. */
const input = (n: Node, i: number): string => n.inputs[i] ?? '';

/** Rewrites the graph's contrib nodes in place (subgraphs are converted, and rewritten, on their own). */
export function expandContribOps(g: Graph): void {
  if (!g.nodes.some((n) => n.domain === MS || (n.opType === 'SimplifiedLayerNormalization' && n.domain === ''))) return;
  const read = readNames(g.nodes, g.outputs.map((o) => o.name));
  const out: Node[] = [];
  /** Output i of `n` when it is read, '' when it is not; refused when read but not computable. */
  const optional = (n: Node, i: number, what: string, computable: boolean): string => {
    const v = n.outputs[i] ?? '';
    if (!v || !read.has(v)) return '';
    if (!computable) throw new NodeError(n, `output ${i} (${what}) is read, but wgml does not compute it (nor does onnxruntime's CPU kernel)`,
      'leave the output unnamed or read nothing from it; it is only meant for training', { output: v });
    return v;
  };
  const add = (n: Node, tag: string, a: string, b: string, y?: string): string => {
    const o = y || `${n.name}::${tag}`;
    out.push({ name: `${n.name}/${tag}`, opType: 'Add', domain: '', inputs: [a, b], outputs: [o], attrs: {} });
    return o;
  };
  for (const n of g.nodes) {
    // a node of a domain the model does not import stays, for validateGraph to refuse
    const isMs = n.domain === MS && g.opsets[MS] !== undefined;
    if (isMs && (n.opType === 'BiasGelu' || (n.opType === 'FastGelu' && input(n, 1)))) {
      if (!input(n, 1)) throw new NodeError(n, 'input 1 (bias) is required', 'see https://github.com/microsoft/onnxruntime/blob/main/docs/ContribOperators.md#com.microsoft.BiasGelu');
      const s = add(n, 'bias', input(n, 0), input(n, 1));
      out.push({ ...n, opType: n.opType === 'BiasGelu' ? 'Gelu' : 'FastGelu', inputs: [s] });
    } else if (isMs && (n.opType === 'SkipLayerNormalization' || n.opType === 'SkipSimplifiedLayerNormalization')) {
      const simplified = n.opType === 'SkipSimplifiedLayerNormalization';
      // SkipSimplifiedLayerNormalization has no beta: its bias is input 3
      const bias = input(n, simplified ? 3 : 4), beta = simplified ? '' : input(n, 3);
      for (const [i, what] of [[0, 'input'], [1, 'skip'], [2, 'gamma']] as const)
        if (!input(n, i)) throw new NodeError(n, `input ${i} (${what}) is required`, `see https://github.com/microsoft/onnxruntime/blob/main/docs/ContribOperators.md#com.microsoft.${n.opType}`);
      optional(n, 1, 'mean', false); optional(n, 2, 'inv_std_var', false);
      const sumOut = optional(n, 3, 'input_skip_bias_sum', true);
      let s = add(n, 'skip', input(n, 0), input(n, 1), bias ? undefined : sumOut);
      if (bias) s = add(n, 'bias', s, bias, sumOut);
      const eps = n.attrs.epsilon ?? { kind: 'float', value: 1e-12 };
      out.push({
        name: n.name, opType: simplified ? 'SimplifiedLayerNormalization' : 'LayerNormalization', domain: '',
        inputs: beta ? [s, input(n, 2), beta] : [s, input(n, 2)], outputs: [n.outputs[0] ?? ''],
        attrs: { axis: { kind: 'int', value: -1 }, epsilon: eps },
      });
    } else if (n.opType === 'SimplifiedLayerNormalization' && (n.domain === '' || isMs) && n.outputs.length > 1) {
      const inv = optional(n, 1, 'inv_std_var', true);
      out.push(inv ? n : { ...n, outputs: [n.outputs[0]!] });
    } else if (isQOperator(n, g)) out.push(...expandQOperator(n, g.opsets[''] ?? 17));
    else out.push(n);
  }
  g.nodes = out;
}
