/**
 * Loop (https://onnx.ai/onnx/operators/onnx__Loop.html) and Scan (https://onnx.ai/onnx/operators/onnx__Scan.html),
 * unrolled at specialization as If is inlined (control-flow.ts), so the GPU never waits on the CPU:
 * - Scan's length is the scan inputs' dimension, static once the inputs' dims are given: every step is inlined,
 *   scan inputs read by Gather at the step's index, scan outputs stacked by ConcatFromSequence (sequences.ts).
 *   Opset 8's batch axis unrolls too (each batch element its own scan); its sequence_lens must be the full length.
 * - Loop runs while its trip count and condition say so; both must be known at compile time, the condition after
 *   each step too (a scripted `for i in range(x.shape[0])` folds; a loop until a value converges does not and is
 *   refused, naming the node). Each step is inlined when the previous one's condition has folded, by a marker
 *   node (`wgml.internal` LoopNext) the specializer hands back here.
 * Loop-carried values of sequence or optional type are refused at load with the other non-tensor values.
 */
import { NodeError } from '../errors.js';
import { renameNode } from './control-flow.js';
import { addConstant } from './sequences.js';
import { hostTensor, type Graph, type HostTensor, type Node, type ValueType } from './types.js';

/** Iterations wgml unrolls before refusing a loop (each is a copy of the body in the graph). */
export const MAX_UNROLL = 4096;

interface Ctx { constants: Map<string, HostTensor>; types: Map<string, ValueType> }

function body(node: Node): Graph {
  const b = node.attrs.body;
  if (b?.kind !== 'graph') throw new NodeError(node, `${node.opType} needs a body graph attribute`, 're-export the model');
  return b.value;
}

/**
 * The body's nodes for one step: its inputs read `given` (in order), its own values renamed under `prefix`.
 * Returns the nodes and the names its outputs have in the step.
 */
function step(g: Graph, prefix: string, given: string[], c: Ctx): { nodes: Node[]; outputs: string[] } {
  const inputs = new Map(g.inputs.map((v, k) => [v.name, given[k]!]));
  const local = new Set<string>([...g.initializers.keys(), ...g.nodes.flatMap((n) => n.outputs)]);
  const rename = (v: string) => (!v ? v : inputs.has(v) ? inputs.get(v)! : local.has(v) ? `${prefix}${v}` : v);
  for (const [k, t] of g.initializers) constant(c, rename(k), t);
  const nodes = g.nodes.map((n) => ({ ...renameNode(n, rename, rename), name: `${prefix}${n.name}` }));
  return { nodes, outputs: g.outputs.map((o) => rename(o.name)) };
}

const constant = addConstant;

/** Nodes stacking `parts` along a new `axis` into `out` (through a sequence, resolved by sequences.ts). */
function stack(owner: Node, tag: string, parts: string[], axis: number, out: string): Node[] {
  const seq = `${owner.name}/${tag}:seq`;
  return [
    { name: `${owner.name}/${tag}:construct`, opType: 'SequenceConstruct', domain: '', inputs: parts, outputs: [seq], attrs: {} },
    { name: `${owner.name}/${tag}:stack`, opType: 'ConcatFromSequence', domain: '', inputs: [seq], outputs: [out], attrs: { axis: { kind: 'int', value: axis }, new_axis: { kind: 'int', value: 1 } } },
  ];
}

const identity = (owner: Node, tag: string, from: string, to: string): Node => ({ name: `${owner.name}/${tag}`, opType: 'Identity', domain: '', inputs: [from], outputs: [to], attrs: {} });

/** The Scan node unrolled (`length`: its steps, where its scan inputs are values not yet typed: opset 8's per-batch scans). */
export function expandScan(node: Node, opset: number, uid: number, c: Ctx, length?: number): Node[] {
  const g = body(node);
  const ints = (k: string) => (node.attrs[k]?.kind === 'ints' ? (node.attrs[k]!.value as number[]) : null);
  const nScan = node.attrs.num_scan_inputs?.kind === 'int' ? node.attrs.num_scan_inputs.value : NaN;
  const ins = opset < 9 ? node.inputs.slice(1) : node.inputs;
  const nState = ins.length - nScan;
  if (!(nScan >= 1) || nState < 0 || g.inputs.length !== ins.length || g.outputs.length < nState || node.outputs.length > g.outputs.length)
    throw new NodeError(node, `num_scan_inputs ${nScan} does not fit ${ins.length} inputs, ${node.outputs.length} outputs and a body of ${g.inputs.length} inputs and ${g.outputs.length} outputs`, 're-export the model');
  const shape = (v: string) => c.types.get(v)?.shape ?? [];
  if (opset < 9) {
    // batch axis 0: each batch element a scan of its own over axis 1 (the spec's opset-8 form)
    const lens = node.inputs[0] ? c.constants.get(node.inputs[0]) : undefined;
    const B = shape(ins[0]!)[0]!, L = shape(ins[nState]!)[1]!; // batch, and length along axis 1
    if (node.inputs[0] && (!lens || Array.from(lens.data).some((v) => v !== L))) throw new NodeError(node, 'sequence_lens is not the full length of every sequence', 'wgml unrolls Scan to its static length; leave sequence_lens out');
    if (ints('directions')?.some((d) => d !== 0)) throw new NodeError(node, 'reverse directions in opset-8 Scan are not supported', 'export with opset 9 or later');
    const outs: string[][] = node.outputs.map(() => []);
    const nodes: Node[] = [];
    for (let b = 0; b < B; b++) {
      const at = constant(c, `${node.name}#${uid}/b${b}`, hostTensor('int64', [], [b]));
      const sliced = ins.map((v, k) => { const o = `${node.name}#${uid}/b${b}/in${k}`; nodes.push({ name: o, opType: 'Gather', domain: '', inputs: [v, at], outputs: [o], attrs: { axis: { kind: 'int', value: 0 } } }); return o; });
      const inner: Node = { ...node, name: `${node.name}#${uid}/b${b}`, inputs: sliced, outputs: node.outputs.map((o, k) => `${node.name}#${uid}/b${b}/out${k}`) };
      nodes.push(...expandScan(inner, 9, uid, c, L));
      inner.outputs.forEach((o, k) => outs[k]!.push(o));
    }
    node.outputs.forEach((o, k) => { if (o) nodes.push(...stack(node, `#${uid}/batch${k}`, outs[k]!, 0, o)); });
    return nodes;
  }
  const inAxes = ints('scan_input_axes') ?? new Array(nScan).fill(0), inDirs = ints('scan_input_directions') ?? new Array(nScan).fill(0);
  const nOut = g.outputs.length - nState; // the node may leave trailing scan outputs unnamed
  const outAxes = ints('scan_output_axes') ?? new Array(nOut).fill(0), outDirs = ints('scan_output_directions') ?? new Array(nOut).fill(0);
  const scanIns = ins.slice(nState).map((v, k) => { const r = shape(v).length; const ax = inAxes[k]! < 0 ? inAxes[k]! + r : inAxes[k]!; return { v, ax, len: length ?? shape(v)[ax]! }; });
  const L = scanIns[0]!.len;
  if (scanIns.some((s) => s.len !== L || !(s.ax >= 0))) throw new NodeError(node, `the scan inputs' lengths differ (${scanIns.map((s) => s.len).join(', ')})`, 'scan inputs must have one length along their scan axes');
  if (L > MAX_UNROLL) throw new NodeError(node, `a scan of ${L} steps`, `wgml unrolls Scan; ${MAX_UNROLL} steps at most`);
  let state = ins.slice(0, nState);
  const scanned: string[][] = new Array(nOut).fill(0).map(() => []);
  const nodes: Node[] = [];
  for (let t = 0; t < L; t++) {
    const prefix = `${node.name}#${uid}/step${t}/`;
    const slices = scanIns.map((s, k) => {
      const at = constant(c, `${prefix}at${k}`, hostTensor('int64', [], [inDirs[k] ? L - 1 - t : t]));
      const o = `${prefix}x${k}`;
      nodes.push({ name: o, opType: 'Gather', domain: '', inputs: [s.v, at], outputs: [o], attrs: { axis: { kind: 'int', value: s.ax } } });
      return o;
    });
    const s = step(g, prefix, [...state, ...slices], c);
    nodes.push(...s.nodes);
    state = s.outputs.slice(0, nState);
    s.outputs.slice(nState).forEach((o, k) => scanned[k]!.push(o));
  }
  state.forEach((v, k) => { if (node.outputs[k]) nodes.push(identity(node, `#${uid}/state${k}`, v, node.outputs[k]!)); });
  scanned.forEach((parts, k) => {
    const o = node.outputs[nState + k];
    if (o) nodes.push(...stack(node, `#${uid}/scan${k}`, outDirs[k] ? [...parts].reverse() : parts, outAxes[k]!, o));
  });
  return nodes;
}

/** A Loop being unrolled: where it stands after the steps emitted so far. */
export interface LoopState { node: Node; uid: number; trips: number; i: number; carried: string[]; scanned: string[][]; cond: string | null }

/** The marker that follows each inlined step; the specializer calls {@link continueLoop} when it reaches it. */
export const LOOP_NEXT = 'LoopNext';

/** The Loop node's first step (or its outputs, if it runs none), and the marker to continue from. */
export function startLoop(node: Node, uid: number, c: Ctx, markers: Map<Node, LoopState>): Node[] {
  const known = (i: number, what: string): HostTensor | null => {
    if (!node.inputs[i]) return null;
    const t = c.constants.get(node.inputs[i]!);
    if (!t) throw new NodeError(node, `the ${what} ('${node.inputs[i]}') depends on runtime values`, `wgml unrolls Loop at compile time: the ${what} must fold to a constant (fix an input with createPipeline's inputValues), or export with the loop unrolled (torch.jit.trace)`);
    return t;
  };
  const g = body(node), n = node.inputs.length - 2;
  if (n < 0 || g.inputs.length !== n + 2 || g.outputs.length < n + 1 || node.outputs.length > g.outputs.length - 1)
    throw new NodeError(node, `a body of ${g.inputs.length} inputs and ${g.outputs.length} outputs does not fit a Loop of ${Math.max(0, n)} carried values and ${node.outputs.length} outputs`, 'the body takes (iteration, condition, carried…) and gives (condition, carried…, scan outputs…); re-export the model');
  const M = known(0, 'trip count'), cond = known(1, 'condition');
  const trips = M ? M.data[0]! : Infinity;
  if (!M && !cond) throw new NodeError(node, 'has neither a trip count nor a condition: it never ends', 're-export the model');
  return continueLoop({ node, uid, trips, i: 0, carried: node.inputs.slice(2), scanned: [], cond: cond && cond.data[0] ? null : 'false' }, c, markers);
}

/** The next step of a Loop, or its outputs once its trip count is reached or its condition folds to false. */
export function continueLoop(s: LoopState, c: Ctx, markers: Map<Node, LoopState>): Node[] {
  const { node, uid } = s;
  let go = s.cond === null;
  if (s.cond && s.cond !== 'false') {
    const t = c.constants.get(s.cond);
    if (!t) throw new NodeError(node, `step ${s.i}'s condition ('${s.cond}') depends on runtime values`, 'wgml unrolls Loop at compile time: its condition must fold to a constant each step; export with the loop unrolled (torch.jit.trace)');
    go = !!t.data[0];
  }
  if (go && s.i < s.trips) {
    if (s.i >= MAX_UNROLL) throw new NodeError(node, `runs more than ${MAX_UNROLL} steps`, `wgml unrolls Loop; ${MAX_UNROLL} steps at most`);
    const prefix = `${node.name}#${uid}/iter${s.i}/`;
    const iter = constant(c, `${prefix}i`, hostTensor('int64', [], [s.i]));
    const cin = constant(c, `${prefix}cond`, hostTensor('bool', [], [1]));
    const st = step(body(node), prefix, [iter, cin, ...s.carried], c);
    const n = s.carried.length;
    const next: LoopState = { ...s, i: s.i + 1, carried: st.outputs.slice(1, 1 + n), cond: st.outputs[0] || null, scanned: st.outputs.slice(1 + n).map((o, k) => [...(s.scanned[k] ?? []), o]) };
    const marker: Node = { name: `${prefix}next`, opType: LOOP_NEXT, domain: 'wgml.internal', inputs: [], outputs: [], attrs: {} };
    markers.set(marker, next);
    return [...st.nodes, marker];
  }
  const n = s.carried.length;
  const out: Node[] = s.carried.map((v, k) => identity(node, `#${uid}/final${k}`, v, node.outputs[k]!)).filter((x) => x.outputs[0]);
  node.outputs.slice(n).forEach((o, k) => {
    if (!o) return;
    const parts = s.scanned[k] ?? [];
    if (!parts.length) throw new NodeError(node, `scan output '${o}' of a loop that ran no step`, 'an empty scan output has no shape wgml could give it');
    out.push(...stack(node, `#${uid}/scan${k}`, parts, 0, o));
  });
  return out;
}
