/**
 * Specialization: given the input dimensions, make every value's type static, folding what is
 * computable at compile time (the shape arithmetic exporters emit: Shape → Gather → Concat →
 * Reshape…) with the ops' CPU references. The op table comes in as a parameter so ir/ does not
 * depend on ops/.
 */
import { Attrs } from './attrs.js';
import { expandIf, inlineBranches, selectNodes } from './control-flow.js';
import { expandSequence, SEQUENCE_OPS } from './sequences.js';
import { continueLoop, expandScan, startLoop, type LoopState } from './loops.js';
import type { Graph, HostTensor, Node, ValueType } from './types.js';
import { fmtShape, isFloat, shapeSize } from './types.js';
import { BindingError, LimitError, ModelFormatError, NodeError, RuntimeValueError, ShapeError, UnsupportedOpsError, WgmlError, type UnsupportedNode } from '../errors.js';

/** Most elements one value may hold: kernels index elements with u32 (and i32 offsets). */
export const MAX_VALUE_ELEMENTS = 2 ** 31 - 1;

/**
 * Run one of an op's rules (attrs, infer, reference, gpu) on a node. An untyped exception there means
 * the rule met inputs it did not expect (wrong input count, malformed attributes): it becomes a
 * NodeError naming the node and its input types, with `details.internal` set so fuzzing and bug
 * reports can tell it from a deliberate refusal.
 */
export function guardRule<T>(node: Node, rule: string, inputs: readonly (ValueType | null)[], fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof WgmlError) throw e;
    const ins = inputs.map((t, i) => `${node.inputs[i] || '(none)'}: ${t ? `${t.dtype} ${fmtShape(t.shape)}` : '-'}`).join(', ');
    throw new NodeError(node, `the ${node.opType} ${rule} rule failed on ${node.inputs.length} input(s) [${ins}]: ${(e as Error)?.message ?? String(e)}`,
      `check the node's input count and attributes against the ONNX spec of ${node.opType}; if the model is valid this is a wgml bug, please report it`,
      { internal: true, rule, cause: e instanceof Error ? e.name : typeof e });
  }
}

/** Every value some node reads (in subgraphs too) or the graph returns. */
function readValues(g: Graph, into = new Set<string>()): Set<string> {
  for (const n of g.nodes) {
    for (const i of n.inputs) if (i) into.add(i);
    for (const a of Object.values(n.attrs)) if (a.kind === 'graph') readValues(a.value, into);
  }
  for (const o of g.outputs) into.add(o.name);
  return into;
}

/** The node with its optional outputs (index >= from) that nothing reads blanked, trailing blanks removed. */
function dropUnreadOutputs(node: Node, from: number, read: ReadonlySet<string>): Node {
  const outputs = node.outputs.map((o, i) => (i >= from && o && !read.has(o) ? '' : o));
  while (outputs.length > 1 && !outputs[outputs.length - 1]) outputs.pop();
  return outputs.length === node.outputs.length && outputs.every((o, i) => o === node.outputs[i]) ? node : { ...node, outputs };
}

/** What specialization needs from an op (OpDef satisfies it). */
export interface ShapeRule {
  readonly constInputs?: readonly number[];
  /**
   * Outputs from this index on are optional extras (Dropout's mask, MaxPool's Indices, training-mode
   * statistics): specialization drops one that nothing reads, so an exporter's unused mask does not
   * make an inference-only op refuse the node.
   */
  readonly optionalOutputs?: number;
  /**
   * Outputs whose values follow from the (static) input types alone, whatever the data, by index (Dropout's mask at
   * inference: all true). Specialization makes them constants and takes them off the node, so no kernel writes them.
   */
  constantOutputs?(ctx: RuleContext, a: never, outTypes: ValueType[]): Map<number, HostTensor>;
  attrs(a: Attrs, opset: number): unknown;
  infer(ctx: RuleContext, a: never): ValueType[];
  reference(inputs: (HostTensor | null)[], a: never, ctx: RuleContext): HostTensor[];
}
/** What an op's rules see of a node: its types, its compile-time constants, a typed error factory. */
export interface RuleContext {
  node: Node;
  /** Types of the inputs; null for an omitted optional input. */
  inputs: (ValueType | null)[];
  /** The value of input i when it is known at compile time (initializer or folded constant). */
  constant(i: number): HostTensor | undefined;
  /** Opset of the node's domain. */
  opset: number;
  error(message: string, hint: string, details?: Record<string, unknown>): NodeError;
}
export interface OpRules {
  lookup(type: string, domain: string, opset: number): ShapeRule | undefined;
  /** Why lookup failed (for the error). */
  failure(type: string, domain: string, opset: number): string;
}

export interface SpecializedGraph {
  graph: Graph;
  /** Every value's static type (inputs, intermediates, outputs, constants). */
  types: Map<string, ValueType>;
  /** Compile-time constants: initializers and folded values. */
  constants: Map<string, HostTensor>;
}

export interface SpecializeOptions {
  /**
   * Inputs whose values are fixed for this pipeline (e.g. a sample rate): they become compile-time
   * constants, so shape arithmetic and If conditions on them fold away.
   */
  inputValues?: Record<string, HostTensor>;
  /** Fold a node only when its outputs hold at most this many elements (default 1 << 22). */
  foldLimit?: number;
}

export function opsetOf(graph: Graph, domain: string): number {
  const d = domain === 'ai.onnx' ? '' : domain;
  return graph.opsets[d] ?? (d === 'wgml' ? 1 : graph.opsets[''] ?? 17);
}

/** Specialize a graph to concrete input dimensions. */
/**
 * Folds of weight-sized constants (an Identity or Transpose of an initializer, dequantized weights),
 * per graph and node, kept while the graph lives: specializing the graph again (another sequence
 * length) reuses them instead of recomputing, and the same tensor objects let pipelines share one
 * uploaded weights buffer (runtime/pipeline.ts). A fold is reused only when every input is the very
 * tensor it was computed from; shape arithmetic, whose inputs change with the dimensions, is not kept.
 */
const folds = new WeakMap<Graph, WeakMap<Node, { ins: (HostTensor | null)[]; outs: HostTensor[] }>>();
const FOLD_KEEP_BYTES = 4096;

function foldCached(graph: Graph, node: Node, ins: (HostTensor | null)[], fold: () => HostTensor[]): HostTensor[] {
  let byNode = folds.get(graph);
  const hit = byNode?.get(node);
  if (hit && hit.ins.length === ins.length && hit.ins.every((t, i) => t === ins[i])) return hit.outs;
  const outs = fold();
  if (outs.some((t) => t && t.data.byteLength >= FOLD_KEEP_BYTES)) {
    if (!byNode) { byNode = new WeakMap(); folds.set(graph, byNode); }
    byNode.set(node, { ins, outs });
  }
  return outs;
}

export function specialize(graph: Graph, inputDims: Record<string, readonly number[]>, rules: OpRules, opts: SpecializeOptions = {}): SpecializedGraph {
  const foldLimit = opts.foldLimit ?? 1 << 22;
  const types = new Map<string, ValueType>();
  const constants = new Map<string, HostTensor>(graph.initializers);
  for (const [name, t] of Object.entries(opts.inputValues ?? {})) {
    const inp = graph.inputs.find((i) => i.name === name);
    if (!inp) throw new BindingError(`inputValues names '${name}', which is not an input of the model`, `the inputs are: ${graph.inputs.map((i) => i.name).join(', ')}`, { input: name });
    if (inp.shape.length !== t.shape.length) throw new BindingError(`inputValues['${name}'] has rank ${t.shape.length}; the input has rank ${inp.shape.length} ${fmtShape(inp.shape)}`, 'give a value of the input\'s shape', { input: name });
    constants.set(name, { ...t, dtype: inp.dtype });
  }
  for (const [name, t] of constants) types.set(name, { dtype: t.dtype, shape: t.shape });

  const known = new Set(graph.inputs.map((i) => i.name));
  for (const name of Object.keys(inputDims))
    if (!known.has(name)) throw new BindingError(`inputDimensions names '${name}', which is not an input of the model`, `the inputs are: ${graph.inputs.map((i) => i.name).join(', ')}`, { input: name })
      .withCliHint(`--dims takes the model's inputs: ${graph.inputs.map((i) => i.name).join(', ')}`);
  // How the command line spells an input's dimensions: --dims x=1x3xHxW.
  const cliDims = (inp: { name: string; shape: readonly (number | string)[] }) => `--dims ${inp.name}=${inp.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : String(d) || '?')).join('x')}`;
  for (const inp of graph.inputs) {
    if (constants.has(inp.name)) continue;
    const given = inputDims[inp.name];
    let shape: number[];
    if (given) {
      if (given.length !== inp.shape.length) throw new BindingError(`input '${inp.name}' has rank ${inp.shape.length} ${fmtShape(inp.shape)}; the dimensions given are ${fmtShape(given)}`, `give one number per dimension: inputDimensions: { '${inp.name}': [${inp.shape.map(String).join(', ')}] }`, { input: inp.name })
        .withCliHint(`give one number per dimension: ${cliDims(inp)}`);
      inp.shape.forEach((d, i) => {
        if (typeof d === 'number' && d >= 0 && d !== given[i]) throw new BindingError(`input '${inp.name}' has fixed dimension ${i} = ${d}; the dimensions given (${fmtShape(given)}) have ${given[i]}`, `use ${fmtShape(inp.shape)} with only the symbolic dims changed`, { input: inp.name })
          .withCliHint(`keep the fixed dimensions: ${cliDims(inp)}`);
        if (!Number.isInteger(given[i]) || given[i]! < 0) throw new BindingError(`input '${inp.name}': dimension ${i} = ${given[i]} is not a non-negative integer`, 'dimensions are whole numbers', { input: inp.name });
      });
      shape = [...given];
    } else {
      const sym = inp.shape.filter((d) => typeof d !== 'number' || d < 0);
      if (sym.length) throw new BindingError(`input '${inp.name}' has symbolic dimensions (${sym.join(', ')}) in ${fmtShape(inp.shape)}`, `pass inputDimensions: { '${inp.name}': [...] } with concrete sizes`, { input: inp.name })
        .withCliHint(`give concrete sizes: ${cliDims(inp)} with numbers for ${sym.join(', ')} (or an --input array, which has them)`);
      shape = inp.shape as number[];
    }
    if (shapeSize(shape) > MAX_VALUE_ELEMENTS)
      throw new LimitError(`input '${inp.name}' of shape ${fmtShape(shape)} has ${shapeSize(shape)} elements, more than wgml's ${MAX_VALUE_ELEMENTS}`, 'use smaller input dimensions', { input: inp.name, shape });
    types.set(inp.name, { dtype: inp.dtype, shape });
  }

  const read = readValues(graph);
  const unsupported: UnsupportedNode[] = [];
  const valueErrors: RuntimeValueError[] = [];
  const nodes: Node[] = [];
  // Values downstream of an unsupported node have no type; skip their readers so the one error lists every unsupported node.
  const poisoned = new Set<string>();
  const work = [...graph.nodes];
  let ifs = 0;
  // sequences in the graph: each a list of tensor values, known at compile time (sequences.ts)
  const seqs = new Map<string, string[]>();
  // Loops being unrolled: the marker after each step, and where the loop stands (loops.ts)
  const loopAt = new Map<Node, LoopState>();
  let loops = 0;
  // The branches of Ifs whose condition is a runtime value are specialized one after the other, each
  // between markers in `work`; a branch that fails (its shapes cannot hold for these inputs) is
  // rolled back and the If keeps the other one (control-flow.ts says why).
  interface Branch { owner: Node; uid: number; tag: 'then' | 'else'; end: Node; outputs: string[]; nodes: number; unsupported: number; error?: WgmlError; then?: Branch }
  const ends = new Map<Node, Branch>();
  const open: Branch[] = [];
  const elseOf = new Map<Branch, Branch>();
  const marker = (owner: Node, tag: string): Node => ({ name: `${owner.name}/end of ${tag}`, opType: 'BranchEnd', domain: 'wgml.internal', inputs: [], outputs: [], attrs: {} });
  for (let k = 0; k < work.length; k++) {
    const node = work[k]!;
    const end = ends.get(node);
    if (end) { k = closeBranch(end, k); continue; }
    try {
      k = step(node, k);
    } catch (e) {
      const b = open[open.length - 1];
      if (!b || !(e instanceof NodeError || e instanceof ShapeError || e instanceof LimitError)) throw e;
      b.error = e;
      nodes.length = b.nodes;
      unsupported.length = b.unsupported;
      k = work.indexOf(b.end, k) - 1;
    }
  }
  function branch(owner: Node, uid: number, tag: 'then' | 'else', outputs: string[], then?: Branch): Branch {
    const b: Branch = { owner, uid, tag, end: marker(owner, tag), outputs, nodes: 0, unsupported: 0, then };
    ends.set(b.end, b);
    return b;
  }
  /** Entering a branch: what to roll back to if it fails. */
  function enter(b: Branch): void {
    b.nodes = nodes.length;
    b.unsupported = unsupported.length;
    open.push(b);
  }
  function closeBranch(b: Branch, k: number): number {
    open.pop();
    if (b.tag === 'then') { enter(elseOf.get(b)!); return k; }
    const t = b.then!, owner = b.owner;
    if (t.error && b.error) {
      throw new NodeError(owner, `neither branch can run with these inputs (its condition '${owner.inputs[0]}' is only known at run time): the then branch fails at ${t.error.what}; the else branch at ${b.error.what}`,
        'if the condition comes from an input (e.g. a sample rate), fix it with createPipeline(..., { inputValues: { name: value } }) so the branch folds; otherwise check the input dimensions', { then: t.error.details, else: b.error.details });
    }
    // The impossible side of each float output is a NaN scalar of that output's type.
    const kept = t.error ? b.outputs : t.outputs;
    const nan = (kk: number): string | null => {
      const ty = types.get(kept[kk]!);
      if (!ty || !isFloat(ty.dtype)) return null;
      const name = `${owner.name}#${b.uid}/nan${kk}`;
      constants.set(name, { dtype: ty.dtype, shape: [], data: new Float32Array([NaN]) });
      types.set(name, { dtype: ty.dtype, shape: [] });
      return name;
    };
    work.splice(k + 1, 0, ...selectNodes(owner, b.uid, t.error ? null : t.outputs, b.error ? null : b.outputs, nan));
    return k;
  }
  function step(node: Node, k: number): number {
    const loop = loopAt.get(node);
    if (loop) { loopAt.delete(node); work.splice(k + 1, 0, ...continueLoop(loop, { constants, types }, loopAt)); return k; }
    if (node.domain === '' && (node.opType === 'Loop' || node.opType === 'Scan')) {
      if (node.inputs.some((n) => poisoned.has(n))) { for (const o of node.outputs) poisoned.add(o); return k; }
      const c = { constants, types };
      work.splice(k + 1, 0, ...(node.opType === 'Loop' ? startLoop(node, loops++, c, loopAt) : expandScan(node, opsetOf(graph, ''), loops++, c)));
      return k;
    }
    if (node.domain === '' && SEQUENCE_OPS.has(node.opType)) {
      if (node.inputs.some((n) => poisoned.has(n))) { for (const o of node.outputs) poisoned.add(o); return k; }
      work.splice(k + 1, 0, ...expandSequence(node, { seqs, constants, types }));
      return k;
    }
    const seqIn = node.inputs.find((n) => seqs.has(n));
    if (seqIn) throw new NodeError(node, `reads the sequence '${seqIn}'`, 'wgml resolves sequences at compile time through the sequence ops (SequenceAt, ConcatFromSequence, …); read a tensor from it first', { value: seqIn });
    if (node.opType === 'If' && node.domain === '' && !node.inputs.some((n) => poisoned.has(n))) {
      const c = node.inputs[0] ? constants.get(node.inputs[0]) : undefined;
      if (node.inputs[0] && !c && !types.has(node.inputs[0])) throw new ModelFormatError(`node '${node.name}' (If) reads '${node.inputs[0]}', which nothing produces`, 're-export the model', { node: node.name });
      const uid = ifs++;
      if (c) work.splice(k + 1, 0, ...expandIf(node, c, uid, constants));
      else {
        const br = inlineBranches(node, uid, constants);
        const t = branch(node, uid, 'then', br.then.outputs);
        const e = branch(node, uid, 'else', br.else.outputs, t);
        elseOf.set(t, e);
        enter(t);
        work.splice(k + 1, 0, ...br.then.nodes, t.end, ...br.else.nodes, e.end);
      }
      for (const [name, t] of constants) if (!types.has(name)) types.set(name, { dtype: t.dtype, shape: t.shape });
      return k;
    }
    const opset = opsetOf(graph, node.domain);
    const rule = rules.lookup(node.opType, node.domain, opset);
    if (rule?.optionalOutputs !== undefined) node = dropUnreadOutputs(node, rule.optionalOutputs, read);
    if (!rule) {
      unsupported.push({ name: node.name, opType: node.opType, domain: node.domain, opset, reason: rules.failure(node.opType, node.domain, opset) });
      for (const o of node.outputs) poisoned.add(o);
      return k;
    }
    if (node.inputs.some((n) => poisoned.has(n))) { for (const o of node.outputs) poisoned.add(o); return k; }
    const inTypes = node.inputs.map((n) => {
      if (!n) return null;
      const t = types.get(n);
      if (!t) throw new ModelFormatError(`node '${node.name}' (${node.opType}) reads '${n}', which no node, input or initializer produces`, 'the model is malformed or its nodes are out of order; re-export it', { node: node.name, value: n });
      return t;
    });
    const ctx: RuleContext = {
      node, inputs: inTypes, opset,
      constant: (i) => (node.inputs[i] ? constants.get(node.inputs[i]!) : undefined),
      error: (m, h, d) => new NodeError(node, m, h, d),
    };
    // Every ONNX op wgml runs reads its first input, except Constant: check it once here instead of
    // in each op's shape rule (fuzzed models drop inputs).
    if (!inTypes[0] && !(node.opType === 'Constant' && node.domain === ''))
      throw new NodeError(node, `required input 0 is missing (the node has ${node.inputs.length} input(s))`, `${node.opType} reads its first input; re-export the model`, { inputs: node.inputs });
    const a = guardRule(node, 'attrs', inTypes, () => rule.attrs(new Attrs(node), opset));
    let outTypes: ValueType[];
    try {
      outTypes = guardRule(node, 'infer', inTypes, () => rule.infer(ctx, a as never));
    } catch (e) {
      // A shape that run-time values would decide: listed with the rest, so one refusal names every such node. Inside
      // a branch of a run-time If it fails that branch instead, as any shape error there does (the If keeps the other).
      if (!(e instanceof RuntimeValueError) || open.length) throw e;
      valueErrors.push(e);
      unsupported.push({ name: node.name, opType: node.opType, domain: node.domain, opset, reason: e.reason });
      for (const o of node.outputs) poisoned.add(o);
      return k;
    }
    for (const t of outTypes) for (const d of t.shape) if (!Number.isInteger(d) || d < 0)
      throw new NodeError(node, `inferred an invalid output shape ${fmtShape(t.shape)}`, 'check the input dimensions given to createPipeline', { shape: t.shape });
    for (const t of outTypes) if (shapeSize(t.shape) > MAX_VALUE_ELEMENTS)
      throw new LimitError(`node '${node.name}' (${node.opType}): output of shape ${fmtShape(t.shape)} has ${shapeSize(t.shape)} elements, more than wgml's ${MAX_VALUE_ELEMENTS}`,
        'use smaller input dimensions; the model may also be corrupt', { node: node.name, op: node.opType, shape: t.shape });
    node.outputs.forEach((o, i) => { if (o && outTypes[i]) types.set(o, outTypes[i]!); });
    const fixed = rule.constantOutputs ? guardRule(node, 'infer', inTypes, () => rule.constantOutputs!(ctx, a as never, outTypes)) : null;
    if (fixed?.size) {
      node.outputs.forEach((o, i) => { const t = fixed.get(i); if (o && t) constants.set(o, t); });
      node = dropUnreadOutputs(node, 0, new Set(node.outputs.filter((o, i) => !fixed.has(i))));
    }
    // Shape and Size depend only on the (now static) type: fold them whatever the data.
    const typeOnly = node.domain === '' && (node.opType === 'Shape' || node.opType === 'Size');
    if (typeOnly) {
      const x = inTypes[0]!;
      const stub: HostTensor = { dtype: x.dtype, shape: x.shape, data: new Float32Array(0) };
      const outs = guardRule(node, 'reference', inTypes, () => rule.reference([stub], a as never, ctx));
      node.outputs.forEach((o, i) => { if (o && outs[i]) constants.set(o, outs[i]!); });
      return k;
    }
    const allConst = node.inputs.every((n) => !n || constants.has(n));
    const small = outTypes.every((t) => shapeSize(t.shape) <= foldLimit);
    if (allConst && small) {
      const ins = node.inputs.map((n) => (n ? constants.get(n)! : null));
      const outs = foldCached(graph, node, ins, () => guardRule(node, 'reference', inTypes, () => rule.reference(ins, a as never, ctx)));
      node.outputs.forEach((o, i) => { if (o && outs[i]) constants.set(o, outs[i]!); });
      return k;
    }
    for (const i of rule.constInputs ?? []) if (node.inputs[i] && !constants.has(node.inputs[i]!))
      unsupported.push({ name: node.name, opType: node.opType, domain: node.domain, opset, reason: `input ${i} ('${node.inputs[i]}') must be known at compile time, but it depends on runtime values` });
    nodes.push(node);
    return k;
  }
  if (unsupported.length === 1 && valueErrors.length === 1) throw valueErrors[0]!;
  if (unsupported.length) throw new UnsupportedOpsError(unsupported);
  for (const o of graph.outputs) if (!types.has(o.name))
    throw new ModelFormatError(`graph output '${o.name}' is produced by no node`, 'the model is malformed; re-export it', { output: o.name });
  return { graph: { ...graph, nodes }, types, constants };
}
