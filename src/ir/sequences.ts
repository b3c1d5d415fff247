/**
 * Sequences inside a graph (https://onnx.ai/onnx/operators/onnx__SequenceConstruct.html and its siblings,
 * opset 11+), resolved at specialization: a sequence is a list of tensor values known at compile time, so its
 * ops become list edits, constants and tensor ops (Identity, Reshape, Concat, Slice) that run like any other.
 * Positions and SplitToSequence's split must be compile-time constants: what a sequence holds decides the
 * graph's shapes. Sequences crossing the graph's boundary (inputs, outputs) are refused at load: only dense
 * tensors are bound.
 */
import { NodeError } from '../errors.js';
import { fmtShape, hostTensor, type HostTensor, type Node, type ValueType } from './types.js';

export const SEQUENCE_OPS: ReadonlySet<string> = new Set(['SequenceEmpty', 'SequenceConstruct', 'SequenceInsert', 'SequenceErase', 'SequenceAt', 'SequenceLength', 'ConcatFromSequence', 'SplitToSequence']);

/** What a sequence op sees: the lists so far, the compile-time constants and the types (both gain what it makes). */
export interface SequenceState {
  seqs: Map<string, string[]>;
  constants: Map<string, HostTensor>;
  types: Map<string, ValueType>;
}

/** A compile-time constant the specializer made (a shape, an index), with its type; returns its name. */
export function addConstant(s: Pick<SequenceState, 'constants' | 'types'>, name: string, t: HostTensor): string {
  s.constants.set(name, t);
  s.types.set(name, { dtype: t.dtype, shape: [...t.shape] });
  return name;
}

/**
 * The nodes that replace sequence op `node` (often none: the list edit is all). Throws NodeError for a
 * position or split not known at compile time, one out of range, or a sequence it does not know.
 */
export function expandSequence(node: Node, s: SequenceState): Node[] {
  const out = node.outputs[0]!;
  const list = (i: number): string[] => {
    const l = node.inputs[i] ? s.seqs.get(node.inputs[i]!) : undefined;
    if (!l) throw new NodeError(node, `input ${i} ('${node.inputs[i] ?? ''}') is not a sequence made in this graph`, 'sequences reach wgml only through the sequence ops inside a graph; pass tensors across its boundary');
    return l;
  };
  const scalarAt = (i: number, what: string): number | null => {
    if (!node.inputs[i]) return null;
    const c = s.constants.get(node.inputs[i]!);
    if (!c) throw new NodeError(node, `${what} ('${node.inputs[i]}') depends on runtime values`, 'a sequence\'s contents decide the shapes: give the position as a constant (an initializer), or use tensor ops');
    if (c.data.length !== 1) throw new NodeError(node, `${what} has ${c.data.length} values`, `${what} is a scalar`);
    return c.data[0]!;
  };
  const position = (p: number, n: number, hi: number, what: string): number => {
    const q = p < 0 ? p + n : p;
    if (!Number.isInteger(q) || q < 0 || q > hi) throw new NodeError(node, `${what} ${p} is outside a sequence of ${n}`, `give a position in [${-n}, ${hi}]`, { position: p, length: n });
    return q;
  };
  const typeOf = (v: string): ValueType => s.types.get(v)!;
  const constant = (suffix: string, t: HostTensor): string => addConstant(s, `${node.name}/${suffix}`, t);
  const sub = (suffix: string, opType: string, inputs: string[], outputs: string[], attrs: Node['attrs'] = {}): Node =>
    ({ name: `${node.name}/${suffix}`, opType, domain: '', inputs, outputs, attrs });
  const reshape = (from: string, shape: number[], suffix: string, to = `${node.name}/${suffix}:out`): Node =>
    sub(suffix, 'Reshape', [from, constant(`${suffix}:shape`, hostTensor('int64', [shape.length], shape))], [to]);

  switch (node.opType) {
    case 'SequenceEmpty': s.seqs.set(out, []); return [];
    case 'SequenceConstruct': s.seqs.set(out, [...node.inputs]); return [];
    case 'SequenceInsert': {
      const l = list(0), p = scalarAt(2, 'the position');
      const at = p === null ? l.length : position(p, l.length, l.length, 'position');
      s.seqs.set(out, [...l.slice(0, at), node.inputs[1]!, ...l.slice(at)]);
      return [];
    }
    case 'SequenceErase': {
      const l = list(0), p = scalarAt(1, 'the position');
      if (!l.length) throw new NodeError(node, 'erases from an empty sequence', 'check the sequence ops before it');
      const at = p === null ? l.length - 1 : position(p, l.length, l.length - 1, 'position');
      s.seqs.set(out, l.filter((_, k) => k !== at));
      return [];
    }
    case 'SequenceAt': {
      const l = list(0), at = position(scalarAt(1, 'the position') ?? NaN, l.length, l.length - 1, 'position');
      return [sub('at', 'Identity', [l[at]!], [out])];
    }
    case 'SequenceLength': {
      s.constants.set(out, hostTensor('int64', [], [list(0).length]));
      s.types.set(out, { dtype: 'int64', shape: [] });
      return [];
    }
    case 'ConcatFromSequence': {
      const l = list(0);
      if (!l.length) throw new NodeError(node, 'concatenates an empty sequence', 'ConcatFromSequence needs at least one tensor');
      let axis = node.attrs.axis?.kind === 'int' ? node.attrs.axis.value : NaN;
      const newAxis = node.attrs.new_axis?.kind === 'int' && node.attrs.new_axis.value === 1;
      const r = typeOf(l[0]!).shape.length + (newAxis ? 1 : 0);
      if (!Number.isInteger(axis) || axis < -r || axis >= r) throw new NodeError(node, `axis ${node.attrs.axis?.value ?? '(missing)'} is outside rank ${r}`, `give an axis in [${-r}, ${r - 1}]`);
      if (axis < 0) axis += r;
      // new_axis: each tensor gains a dim of 1 at axis first (np.stack)
      const parts = newAxis ? l.map((v, k) => reshape(v, [...typeOf(v).shape.slice(0, axis), 1, ...typeOf(v).shape.slice(axis)], `stack${k}`)) : [];
      return [...parts, sub('concat', 'Concat', newAxis ? parts.map((p) => p.outputs[0]!) : l, [out], { axis: { kind: 'int', value: axis } })];
    }
    case 'SplitToSequence': {
      const x = node.inputs[0]!, shape = typeOf(x).shape;
      let axis = node.attrs.axis?.kind === 'int' ? node.attrs.axis.value : 0;
      if (axis < -shape.length || axis >= shape.length) throw new NodeError(node, `axis ${axis} is outside ${fmtShape(shape)}`, `give an axis in [${-shape.length}, ${shape.length - 1}]`);
      if (axis < 0) axis += shape.length;
      const d = shape[axis]!;
      const split = node.inputs[1] ? s.constants.get(node.inputs[1]) : undefined;
      if (node.inputs[1] && !split) throw new NodeError(node, `split ('${node.inputs[1]}') depends on runtime values`, 'the sizes of the pieces decide the shapes: give split as a constant (an initializer)');
      let sizes: number[];
      if (!split) sizes = new Array(d).fill(1);
      else if (split.shape.length === 0) { const c = split.data[0]!; if (!(c > 0)) throw new NodeError(node, `split ${c} is not positive`, 'give a positive chunk size'); sizes = Array.from({ length: Math.ceil(d / c) }, (_, k) => Math.min(c, d - k * c)); }
      else sizes = Array.from(split.data);
      if (sizes.some((v) => !(v >= 0)) || sizes.reduce((a, b) => a + b, 0) !== d) throw new NodeError(node, `split [${sizes.join(', ')}] does not add up to ${d}, dim ${axis} of ${fmtShape(shape)}`, 'give sizes that sum to the split dimension');
      // keepdims=0 drops the split axis, only when split is not given (the spec)
      const squeeze = !split && node.attrs.keepdims?.kind === 'int' && node.attrs.keepdims.value === 0;
      const nodes: Node[] = [], parts: string[] = [];
      let at = 0;
      sizes.forEach((len, k) => {
        const piece = `${node.name}/piece${k}`;
        const c = (v: number[]) => hostTensor('int64', [1], v);
        nodes.push(sub(`slice${k}`, 'Slice', [x, constant(`slice${k}:starts`, c([at])), constant(`slice${k}:ends`, c([at + len])), constant(`slice${k}:axes`, c([axis]))], [piece]));
        if (squeeze) { const r = reshape(piece, shape.filter((_, i) => i !== axis), `squeeze${k}`); nodes.push(r); parts.push(r.outputs[0]!); } else parts.push(piece);
        at += len;
      });
      s.seqs.set(out, parts);
      return nodes;
    }
  }
  throw new NodeError(node, `${node.opType} is not a sequence op`, 'this is a bug in wgml', { internal: true });
}
