/**
 * Model-local functions (ModelProto.functions, used heavily by torch.onnx's dynamo exporter) are
 * inlined before conversion: wgml's IR has no calls, and every op inside must be one wgml runs.
 * Works on decoded protos so attribute references (ref_attr_name) resolve before typing.
 */
import { ModelFormatError } from '../errors.js';
import type { AttributeProto, GraphProto, ModelProto, NodeProto, OperatorSetIdProto } from './proto.js';

export interface FunctionProto {
  name?: string;
  domain?: string;
  overload?: string;
  input?: string[];
  output?: string[];
  attribute?: string[];
  attribute_proto?: AttributeProto[];
  node?: NodeProto[];
  opset_import?: OperatorSetIdProto[];
}

const MAX_DEPTH = 32;
const key = (domain: string | undefined, name: string | undefined, overload: string | undefined) => `${domain ?? ''}:${name ?? ''}:${overload ?? ''}`;

/** Rename every value of a function body (and its subgraphs) through `rename`; resolve attribute refs. */
function instantiate(n: NodeProto, rename: (v: string) => string, attrs: (a: AttributeProto) => AttributeProto | null, prefix: string, i: number): NodeProto {
  const attribute = (n.attribute ?? []).flatMap((a) => {
    const r = attrs(a);
    if (!r) return [];
    if (r.g) return [{ ...r, g: renameGraph(r.g, rename, attrs, prefix) }];
    if (r.graphs?.length) return [{ ...r, graphs: r.graphs.map((g) => renameGraph(g, rename, attrs, prefix)) }];
    return [r];
  });
  return { ...n, name: prefix + (n.name || `${n.op_type}#${i}`), input: (n.input ?? []).map(rename), output: (n.output ?? []).map(rename), attribute };
}

function renameGraph(g: GraphProto, rename: (v: string) => string, attrs: (a: AttributeProto) => AttributeProto | null, prefix: string): GraphProto {
  const vi = (v: { name?: string }) => ({ ...v, name: rename(v.name ?? '') });
  return {
    ...g,
    input: (g.input ?? []).map(vi), output: (g.output ?? []).map(vi), value_info: (g.value_info ?? []).map(vi),
    initializer: (g.initializer ?? []).map((t) => ({ ...t, name: rename(t.name ?? '') })),
    node: (g.node ?? []).map((n, i) => instantiate(n, rename, attrs, prefix, i)),
  };
}

function expandNodes(nodes: NodeProto[], fns: Map<string, FunctionProto>, depth: number, counter: { n: number }): NodeProto[] {
  const out: NodeProto[] = [];
  for (const call of nodes) {
    const fn = fns.get(key(call.domain, call.op_type, call.overload));
    if (!fn) {
      // Subgraphs of ordinary nodes (If/Loop bodies) may call functions too.
      const attribute = (call.attribute ?? []).map((a) => (a.g ? { ...a, g: expandGraph(a.g, fns, depth, counter) } : a.graphs?.length ? { ...a, graphs: a.graphs.map((g) => expandGraph(g, fns, depth, counter)) } : a));
      out.push({ ...call, attribute });
      continue;
    }
    if (depth >= MAX_DEPTH) {
      throw new ModelFormatError(`function '${fn.domain}.${fn.name}' calls itself, directly or through others, more than ${MAX_DEPTH} deep`,
        'ONNX functions cannot recurse; the model is corrupt', { function: fn.name, node: call.name });
    }
    const prefix = `${call.name || fn.name}#${counter.n++}/`;
    const map = new Map<string, string>();
    (fn.input ?? []).forEach((f, i) => map.set(f, call.input?.[i] ?? ''));
    (fn.output ?? []).forEach((f, i) => { const actual = call.output?.[i]; if (actual) map.set(f, actual); });
    const rename = (v: string) => (v === '' ? '' : map.get(v) ?? prefix + v);
    const given = new Map((call.attribute ?? []).map((a) => [a.name ?? '', a]));
    const defaults = new Map((fn.attribute_proto ?? []).map((a) => [a.name ?? '', a]));
    const attrs = (a: AttributeProto): AttributeProto | null => {
      if (!a.ref_attr_name) return a;
      const v = given.get(a.ref_attr_name) ?? defaults.get(a.ref_attr_name);
      return v ? { ...v, name: a.name } : null; // an unset referenced attribute is absent (spec)
    };
    const body = (fn.node ?? []).map((n, i) => instantiate(n, rename, attrs, prefix, i));
    out.push(...expandNodes(body, fns, depth + 1, counter));
  }
  return out;
}

function expandGraph(g: GraphProto, fns: Map<string, FunctionProto>, depth: number, counter: { n: number }): GraphProto {
  return { ...g, node: expandNodes(g.node ?? [], fns, depth, counter) };
}

/** Inline every call of a model-local function (in place); adds the functions' opset imports the model lacks. */
export function inlineFunctions(m: ModelProto): void {
  const list = (m.functions ?? []) as FunctionProto[];
  if (!list.length || !m.graph) return;
  const fns = new Map(list.map((f) => [key(f.domain, f.name, f.overload), f]));
  m.graph = expandGraph(m.graph, fns, 0, { n: 0 });
  const imported = new Set((m.opset_import ?? []).map((o) => (o.domain === 'ai.onnx' ? '' : o.domain ?? '')));
  for (const f of list) {
    for (const o of f.opset_import ?? []) {
      const d = o.domain === 'ai.onnx' ? '' : o.domain ?? '';
      if (!imported.has(d)) { m.opset_import = [...(m.opset_import ?? []), o]; imported.add(d); }
    }
  }
}
