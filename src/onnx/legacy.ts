/**
 * Opsets 1–6 at import: the few ops whose form changed before opset 7 are rewritten into the form
 * wgml's op table reads, the way ONNX's version converter adapts them
 * (https://github.com/onnx/onnx/blob/main/onnx/version_converter/convert.h); every other op of those
 * opsets has the semantics of its later version (`consumed_inputs`, `is_test` and the like only
 * steered memory reuse and training). The graph keeps its opset: op lookups stay honest, and an op
 * wgml implements only from a later version (Upsample-1, Tile-1, …) is still refused by name.
 *
 * - Add, Sub, Mul, Div, Pow, And, Or, Xor, Equal, Greater, Less (1–6): `broadcast=1` with `axis`
 *   aligns B with A from that axis; a wgml.LegacyBroadcast node reshapes B so numpy broadcasting
 *   does the same. Without `axis` legacy broadcasting is numpy's suffix rule already.
 * - PRelu (1–6): a 1-D slope of C values is per channel (axis 1), as Caffe2 and PyTorch's opset-6
 *   exports meant it; opset 7's unidirectional broadcasting would align it with the last axis.
 * - Gemm (1–6): `broadcast` dropped (opset 7's unidirectional broadcasting of C covers both forms).
 * - Reshape-1 (opsets 1–4): the `shape` attribute becomes a constant input 1.
 * - Concat-1 (opsets 1–3): `axis` defaults to 1.
 * - Split-1 (opset 1): a constant input 1 becomes the `split` attribute.
 * - Pad-1 (opset 1): `paddings` is Pad-2's `pads`.
 * - Cast-1 (opsets 1–5): `to` names the type as a string ('FLOAT'); Cast-6 takes its code.
 *
 * The experimental ops of opsets 1–9 (removed in 10; https://github.com/onnx/onnx/blob/main/docs/Changelog.md)
 * that model-zoo networks still carry become the ops they are made of: ImageScaler (tiny-YOLOv2's input
 * normalization: scale·x + bias per channel) → Mul, Add; Scale → Mul; Affine (alpha·x + beta) → Mul, Add;
 * ScaledTanh (alpha·tanh(beta·x)) → Mul, Tanh, Mul; ParametricSoftplus (alpha·softplus(beta·x)) → Mul,
 * Softplus, Mul. (ThresholdedRelu kept its meaning when it left the experimental set: its op covers all
 * opsets.) Their constants are float32, as those opsets' models are.
 */
import { NodeError } from '../errors.js';
import { hostTensor, type AttrValue, type Graph, type Node } from '../ir/types.js';

const EXPERIMENTAL = new Set(['ImageScaler', 'Scale', 'Affine', 'ScaledTanh', 'ParametricSoftplus']);
const BROADCAST_OPS = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'And', 'Or', 'Xor', 'Equal', 'Greater', 'Less']);

/** TensorProto.DataType codes by the names Cast-1 used. */
const TYPE_CODES: Record<string, number> = {
  FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, STRING: 8, BOOL: 9, FLOAT16: 10, DOUBLE: 11, UINT32: 12, UINT64: 13,
};

function without(attrs: Record<string, AttrValue>, ...names: string[]): Record<string, AttrValue> {
  const out = { ...attrs };
  for (const n of names) delete out[n];
  return out;
}

const intAttr = (n: Node, name: string): number | undefined => {
  const a = n.attrs[name];
  return a?.kind === 'int' ? a.value : undefined;
};

/** Rewrites the graph's legacy nodes in place; a no-op from opset 10 on. */
export function upgradeLegacyOps(g: Graph): void {
  const v = g.opsets[''];
  if (v === undefined || v >= 10) return;
  const out: Node[] = [];
  const taken = new Set([...g.initializers.keys(), ...g.inputs.map((x) => x.name), ...g.nodes.flatMap((n) => n.outputs)]);
  const fresh = (base: string): string => {
    let name = base;
    for (let i = 1; taken.has(name); i++) name = `${base}${i}`;
    taken.add(name);
    return name;
  };
  /** A float32 initializer of `values`, named after `n`. */
  const constant = (n: Node, what: string, shape: number[], values: number[]): string => {
    const name = fresh(`${n.name || n.opType}::${what}`);
    g.initializers.set(name, hostTensor('float32', shape, values));
    return name;
  };
  /** `n` as a chain of ops: each step is [op, extra input or null]; the last step writes n's output. */
  const chain = (n: Node, steps: [string, string | null][]): void => {
    let x = n.inputs[0]!;
    steps.forEach(([op, b], i) => {
      const y = i === steps.length - 1 ? n.outputs[0]! : fresh(`${n.name || n.opType}::${op.toLowerCase()}${i}`);
      out.push({ name: `${n.name}/${op}${i}`, opType: op, domain: '', inputs: b ? [x, b] : [x], outputs: [y], attrs: {} });
      x = y;
    });
  };
  const float = (n: Node, name: string, def: number): number => {
    const a = n.attrs[name];
    return a?.kind === 'float' ? a.value : def;
  };
  /** `n` with input 1 reshaped to line up with input 0 from `axis`. */
  const alignB = (n: Node, axis: number, attrs: Record<string, AttrValue>): void => {
    const aligned = fresh(`${n.name || n.opType}::B_aligned`);
    out.push({ name: `${n.name}/legacy_broadcast`, opType: 'LegacyBroadcast', domain: 'wgml', inputs: [n.inputs[1]!, n.inputs[0]!], outputs: [aligned], attrs: { axis: { kind: 'int', value: axis } } });
    g.opsets.wgml ??= 1;
    out.push({ ...n, inputs: [n.inputs[0]!, aligned], attrs });
  };
  for (const n of g.nodes) {
    if (n.domain !== '' && n.domain !== 'ai.onnx') { out.push(n); continue; }
    if (EXPERIMENTAL.has(n.opType) && n.inputs[0] && n.outputs[0]) {
      const alpha = float(n, 'alpha', 1), beta = float(n, 'beta', n.opType === 'Affine' ? 0 : 1);
      if (n.opType === 'ImageScaler') {
        const bias = n.attrs.bias?.kind === 'floats' ? n.attrs.bias.value : null;
        const scale: [string, string | null] = ['Mul', constant(n, 'scale', [], [float(n, 'scale', 1)])];
        chain(n, bias ? [scale, ['Add', constant(n, 'bias', [bias.length, 1, 1], bias)]] : [scale]);
      } else if (n.opType === 'Scale') chain(n, [['Mul', constant(n, 'scale', [], [float(n, 'scale', 1)])]]);
      else if (n.opType === 'Affine') chain(n, [['Mul', constant(n, 'alpha', [], [alpha])], ['Add', constant(n, 'beta', [], [beta])]]);
      else {
        const f = n.opType === 'ScaledTanh' ? 'Tanh' : 'Softplus';
        chain(n, [['Mul', constant(n, 'beta', [], [beta])], [f, null], ['Mul', constant(n, 'alpha', [], [alpha])]]);
      }
      continue;
    }
    if (v >= 7) { out.push(n); continue; }
    if (BROADCAST_OPS.has(n.opType)) {
      const axis = intAttr(n, 'axis');
      const attrs = without(n.attrs, 'broadcast', 'axis', 'consumed_inputs');
      if (intAttr(n, 'broadcast') === 1 && axis !== undefined && n.inputs[1]) alignB(n, axis, attrs);
      else out.push({ ...n, attrs });
    } else if (n.opType === 'PRelu' && n.inputs[1]) {
      const slope = g.initializers.get(n.inputs[1]);
      if (slope && slope.shape.length === 1 && slope.shape[0]! > 1) alignB(n, 1, without(n.attrs, 'consumed_inputs'));
      else out.push(n);
    } else if (n.opType === 'Gemm') {
      out.push({ ...n, attrs: without(n.attrs, 'broadcast') });
    } else if (n.opType === 'Reshape' && v < 5) {
      const shape = n.attrs.shape;
      if (shape?.kind !== 'ints') throw new NodeError(n, `Reshape-1 (opset ${v}) needs its 'shape' attribute`, 'the file is corrupt; re-export it');
      const name = fresh(`${n.name || 'Reshape'}::shape`);
      g.initializers.set(name, hostTensor('int64', [shape.value.length], shape.value));
      out.push({ ...n, inputs: [n.inputs[0]!, name], attrs: without(n.attrs, 'shape', 'consumed_inputs') });
    } else if (n.opType === 'Concat' && v < 4 && !n.attrs.axis) {
      out.push({ ...n, attrs: { ...n.attrs, axis: { kind: 'int', value: 1 } } });
    } else if (n.opType === 'Split' && v < 2 && n.inputs[1]) {
      const split = g.initializers.get(n.inputs[1]);
      if (!split) throw new NodeError(n, "Split-1's input 1 (split) is not an initializer", 'wgml needs split sizes at compile time; make them an initializer or re-export at a newer opset', { input: n.inputs[1] });
      out.push({ ...n, inputs: [n.inputs[0]!], attrs: { ...n.attrs, split: { kind: 'ints', value: Array.from(split.data, Number) } } });
    } else if (n.opType === 'Pad' && v < 2 && n.attrs.paddings) {
      out.push({ ...n, attrs: { ...without(n.attrs, 'paddings'), pads: n.attrs.paddings } });
    } else if (n.opType === 'Cast' && v < 6 && n.attrs.to?.kind === 'string') {
      const name = n.attrs.to.value;
      const code = TYPE_CODES[name.toUpperCase()];
      if (code === undefined) throw new NodeError(n, `Cast-1 to unknown type '${name}'`, `use one of ${Object.keys(TYPE_CODES).join(', ')}`, { to: name });
      out.push({ ...n, attrs: { ...n.attrs, to: { kind: 'int', value: code } } });
    } else out.push(n);
  }
  g.nodes = out;
}
