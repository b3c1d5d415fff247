/** GraphProto → Graph: values, nodes, attributes (with TENSOR and GRAPH subgraphs), initializers. */
import { DTypeError, ModelFormatError, NodeError } from '../errors.js';
import type { AttrValue, Dim, Graph, HostTensor, Node, ValueInfo } from '../ir/types.js';
import { hostArrayFor } from '../ir/types.js';
import { int64, type AttributeProto, type GraphProto, type SparseTensorProto, type TensorProto, type ValueInfoProto } from './proto.js';
import { checkedDims, elemType, externalRef, tensorFromProto } from './tensor-proto.js';
import { expandContribOps } from './contrib.js';
import { upgradeLegacyOps } from './legacy.js';

export interface ConvertContext {
  opsets: Record<string, number>;
  /** Bytes of an external data file, already read. */
  external: (location: string) => Uint8Array;
}

const has = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
const utf8 = new TextDecoder();
/** protobufjs leaves an unset bytes field as its default, a plain [] (e.g. an empty STRING attribute). */
const text = (b: Uint8Array | number[] | null | undefined): string => utf8.decode(b instanceof Uint8Array ? b : new Uint8Array(b ?? []));

/** Every external data location the graph (and its subgraphs) reads. */
export function externalLocations(g: GraphProto, out = new Set<string>()): Set<string> {
  const visitTensor = (t: TensorProto | null | undefined) => { const r = t && externalRef(t); if (r) out.add(r.location); };
  for (const t of g.initializer ?? []) visitTensor(t);
  for (const s of g.sparse_initializer ?? []) { visitTensor(s.values); visitTensor(s.indices); }
  for (const n of g.node ?? []) {
    for (const a of n.attribute ?? []) {
      visitTensor(a.t);
      for (const t of a.tensors ?? []) visitTensor(t);
      if (a.sparse_tensor) { visitTensor(a.sparse_tensor.values); visitTensor(a.sparse_tensor.indices); }
      if (a.g) externalLocations(a.g, out);
      for (const sg of a.graphs ?? []) externalLocations(sg, out);
    }
  }
  return out;
}

/** A value's declared type. `required`: the dtype must be known (main graph inputs). */
export function valueInfo(vi: ValueInfoProto, where: string, required: boolean): ValueInfo | null {
  const name = vi.name ?? '';
  const what = `value '${name}' (${where})`;
  const type = vi.type;
  if (type && !type.tensor_type && (type.sequence_type || type.map_type || type.optional_type || type.sparse_tensor_type)) {
    const kind = type.sequence_type ? 'sequence' : type.map_type ? 'map' : type.optional_type ? 'optional' : 'sparse tensor';
    throw new DTypeError(`${what} is ${kind === 'optional' ? 'an' : 'a'} ${kind}; wgml supports only dense tensors`, `re-export the model without ${kind} values`, { value: name, kind });
  }
  const tt = type?.tensor_type;
  if (!tt || !tt.elem_type) {
    if (required) throw new ModelFormatError(`${what} has no element type`, 'graph inputs must declare their element type; re-export the model', { value: name });
    return { name, dtype: 'float32', shape: [], untyped: true };
  }
  const dtype = elemType(tt.elem_type, what);
  if (!tt.shape) return { name, dtype, shape: [], untyped: true };
  const shape: Dim[] = (tt.shape.dim ?? []).map((d, i) => {
    if (has(d, 'dim_value')) {
      const v = int64(d.dim_value);
      checkedDims([v], what);
      return v;
    }
    if (has(d, 'dim_param') && d.dim_param) return d.dim_param;
    // An unnamed unknown dim: a symbol of its own, equal to no other.
    return `?${name}:${i}`;
  });
  return { name, dtype, shape };
}

/** A sparse tensor expanded to a dense one (Constant's sparse_value, sparse initializers). */
function densify(s: SparseTensorProto, what: string, ctx: ConvertContext): HostTensor {
  if (!s.values || !s.indices) throw new ModelFormatError(`${what} is a sparse tensor without values or indices`, 'the file is corrupt; re-export it', { value: what });
  const values = tensorFromProto(s.values, `${what} (values)`, ctx.external);
  const indices = tensorFromProto(s.indices, `${what} (indices)`, ctx.external);
  const shape = checkedDims((s.dims ?? []).map(int64), what);
  const n = shape.reduce((a, b) => a * b, 1);
  const nnz = values.data.length;
  const out = { dtype: values.dtype, shape, data: hostArrayFor(values.dtype, n) };
  const rank = shape.length;
  const linear = indices.shape.length === 1;
  if (indices.data.length !== (linear ? nnz : nnz * rank)) throw new ModelFormatError(`${what} has ${indices.data.length} sparse indices for ${nnz} values`, 'the file is corrupt; re-export it', { value: what });
  for (let k = 0; k < nnz; k++) {
    let idx = 0;
    if (linear) idx = indices.data[k]!;
    else for (let d = 0; d < rank; d++) idx = idx * shape[d]! + indices.data[k * rank + d]!;
    if (idx < 0 || idx >= n) throw new ModelFormatError(`${what} has sparse index ${idx} outside its ${n} elements`, 'the file is corrupt; re-export it', { value: what, index: idx });
    out.data[idx] = values.data[k]!;
  }
  return out;
}

const ATTR_KIND: Record<number, string> = { 1: 'f', 2: 'i', 3: 's', 4: 't', 5: 'g', 6: 'floats', 7: 'ints', 8: 'strings', 9: 'tensors', 10: 'graphs', 11: 'sparse_tensor', 12: 'sparse_tensors', 13: 'tp', 14: 'type_protos' };

/** The attribute's type, inferred from the field present when an old exporter left `type` unset. */
function attrType(a: AttributeProto): number {
  if (a.type) return a.type;
  for (const [code, field] of Object.entries(ATTR_KIND)) {
    const v = (a as Record<string, unknown>)[field];
    if (has(a, field) && (!Array.isArray(v) || v.length)) return Number(code);
  }
  return 0;
}

function attribute(a: AttributeProto, node: Node, ctx: ConvertContext): AttrValue {
  const what = `attribute '${a.name}' of node '${node.name}'`;
  if (a.ref_attr_name) throw new NodeError(node, `${what} refers to function attribute '${a.ref_attr_name}' outside a function`, 'the file is corrupt; re-export it');
  switch (attrType(a)) {
    case 1: return { kind: 'float', value: a.f ?? 0 };
    case 2: return { kind: 'int', value: int64(a.i) };
    case 3: return { kind: 'string', value: text(a.s) };
    case 4: return { kind: 'tensor', value: tensorFromProto(a.t ?? {}, `tensor ${what}`, ctx.external) };
    case 5: return { kind: 'graph', value: convertGraph(a.g ?? {}, ctx, `subgraph ${what}`) };
    case 6: return { kind: 'floats', value: [...(a.floats ?? [])] };
    case 7: return { kind: 'ints', value: (a.ints ?? []).map(int64) };
    case 8: return { kind: 'strings', value: (a.strings ?? []).map(text) };
    case 11: return { kind: 'tensor', value: densify(a.sparse_tensor ?? {}, `sparse tensor ${what}`, ctx) };
    case 0: throw new NodeError(node, `${what} has no type and no value`, 'the file is corrupt; re-export it', { attribute: a.name });
    default: throw new NodeError(node, `${what} is of type ${ATTR_KIND[a.type!] ?? a.type}, which wgml does not support`,
      'wgml supports float, int, string, tensor and graph attributes (and lists of the scalar kinds)', { attribute: a.name, type: a.type });
  }
}

/** Convert one (sub)graph. Subgraphs share the model's opsets. */
export function convertGraph(g: GraphProto, ctx: ConvertContext, where: string): Graph {
  const initializers = new Map<string, HostTensor>();
  for (const t of g.initializer ?? []) {
    const name = t.name ?? '';
    if (initializers.has(name)) throw new ModelFormatError(`initializer '${name}' is defined twice in the ${where}`, 'the file is corrupt; re-export it', { value: name });
    initializers.set(name, tensorFromProto(t, `initializer '${name}'`, ctx.external));
  }
  for (const s of g.sparse_initializer ?? []) {
    const name = s.values?.name ?? '';
    initializers.set(name, densify(s, `sparse initializer '${name}'`, ctx));
  }
  const isMain = where === 'main graph';
  // IR < 4 lists initializers among the inputs too; wgml treats those as constants.
  const inputs = (g.input ?? []).filter((v) => !initializers.has(v.name ?? '')).map((v) => valueInfo(v, `input of the ${where}`, isMain)!);
  const outputs = (g.output ?? []).map((v) => valueInfo(v, `output of the ${where}`, false)!);
  const vinfo = new Map<string, ValueInfo>();
  for (const v of g.value_info ?? []) {
    // value_info is a hint: entries wgml cannot use (sequences, unknown types) are left out, not refused.
    try {
      const info = valueInfo(v, `value_info of the ${where}`, false);
      if (info && !info.untyped) vinfo.set(info.name, info);
    } catch (e) {
      if (!(e instanceof DTypeError)) throw e;
    }
  }
  const nodes: Node[] = (g.node ?? []).map((n, i) => {
    const node: Node = {
      name: n.name || `${n.op_type ?? 'node'}#${i}`,
      opType: n.op_type ?? '',
      domain: n.domain === 'ai.onnx' ? '' : n.domain ?? '',
      inputs: [...(n.input ?? [])],
      outputs: [...(n.output ?? [])],
      attrs: {},
    };
    if (!node.opType) throw new ModelFormatError(`node ${i} of the ${where} has no op_type`, 'the file is corrupt; re-export it', { node: node.name });
    for (const a of n.attribute ?? []) {
      if (!a.name) throw new NodeError(node, 'an attribute has no name', 'the file is corrupt; re-export it');
      if (a.name in node.attrs) throw new NodeError(node, `attribute '${a.name}' is given twice`, 'the file is corrupt; re-export it', { attribute: a.name });
      node.attrs[a.name] = attribute(a, node, ctx);
    }
    return node;
  });
  const graph: Graph = { name: g.name ?? '', inputs, outputs, nodes, initializers, valueInfo: vinfo, opsets: { ...ctx.opsets } };
  expandContribOps(graph);
  upgradeLegacyOps(graph);
  return graph;
}
