/**
 * Debug capture: run a network once with every intermediate kept (no heap reuse), read the whole heap
 * back, and describe every node by the statistics of what it read and wrote. By default the graph
 * passes are off (`fuse: false`) so captured values map 1:1 to the model's nodes.
 */
import type { AttrValue, Graph, HostTensor, ValueType } from '../ir/types.js';
import { fmtShape, hostArrayFor, shapeSize, storageType } from '../ir/types.js';
import { ResourceStateError } from '../errors.js';
import { withErrorScope } from '../gpu/scope.js';
import type { Place, Program } from '../runtime/compile.js';
import { createPipeline, NetworkPipeline, type PipelineOptions } from '../runtime/pipeline.js';
import { createHeap } from '../runtime/heap.js';
import { encodeNetwork } from '../runtime/encode.js';
import { addOutputTensors, uploadInputs, warmUpNetwork, type RunOptions } from '../runtime/run.js';
import { checkInputDtypes } from '../runtime/inputs.js';
import { explosion, fmtStats, tensorStats, type ExplodeOptions, type TensorStats } from './stats.js';

export interface ValueReport {
  name: string;
  dtype: ValueType['dtype'];
  shape: number[];
  place: Place;
  stats: TensorStats;
}

export interface NodeReport {
  /** Position in execution order. */
  index: number;
  name: string;
  op: string;
  domain: string;
  attrs: Record<string, unknown>;
  inputs: ValueReport[];
  outputs: ValueReport[];
  /** Output |x| over input |x| when it grew by the explosion factor, else null. */
  explodes: number | null;
  /** Why the node is suspicious ('' when it is not). */
  reason: string;
}

export interface BadNode { name: string; op: string; index: number; reason: string }

export interface DebugCapture {
  program: Program;
  /** Every captured value (inputs, weights read by kernels, intermediates, outputs) by name. */
  values: Map<string, HostTensor>;
  nodes: NodeReport[];
  /** First node in execution order whose output holds NaN/Inf or explodes; null when none. */
  firstBad: BadNode | null;
}

export interface DebugRunOptions extends PipelineOptions, ExplodeOptions, RunOptions {}

/** Attribute values in a JSON-able form (tensors as their shape, subgraphs by name). */
export function plainAttrs(attrs: Record<string, AttrValue>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, a] of Object.entries(attrs)) {
    if (a.kind === 'tensor') out[k] = `tensor ${a.value.dtype} ${fmtShape(a.value.shape)}`;
    else if (a.kind === 'graph') out[k] = `graph '${a.value.name}'`;
    else out[k] = a.value;
  }
  return out;
}

/** Heap values of a program that share bytes without being aliases of each other: a plan with reuse. */
function reusedRanges(p: Program): string | null {
  // Outputs of alias nodes (Reshape…) share their source's bytes by design.
  const aliased = new Set(p.nodes.filter((n) => n.alias).flatMap((n) => n.outputs));
  const ranges = [...p.values].filter(([n, v]) => v.place.kind === 'heap' && !aliased.has(n)).map(([n, v]) => ({ n, s: v.place.offset, e: v.place.offset + v.place.bytes }));
  for (let i = 0; i < ranges.length; i++) for (let j = i + 1; j < ranges.length; j++) {
    const a = ranges[i]!, b = ranges[j]!;
    if (a.s < b.e && b.s < a.e) return `'${a.n}' and '${b.n}'`;
  }
  return null;
}

function view(bytes: ArrayBuffer, offset: number, t: ValueType): HostTensor {
  const n = shapeSize(t.shape);
  const s = storageType(t.dtype);
  const src = s === 'f32' ? new Float32Array(bytes, offset, n) : s === 'u32' ? new Uint32Array(bytes, offset, n) : new Int32Array(bytes, offset, n);
  const data = hostArrayFor(t.dtype, n);
  data.set(src);
  return { dtype: t.dtype, shape: [...t.shape], data };
}

/** Run once and read back every value of the program. */
async function captureValues(device: GPUDevice, pipeline: NetworkPipeline, inputs: Record<string, HostTensor>, opts: RunOptions): Promise<Map<string, HostTensor>> {
  const p = pipeline.program;
  const made: { destroy(): void }[] = [];
  try {
    return await withErrorScope(device, `debug capture of '${pipeline.label}'`, async () => {
      // Checked (and cast, when asked) once here: input values are read back from the host copy below.
      inputs = checkInputDtypes(pipeline.inputs.map((s) => ({ name: s.name, dtype: s.elemType, shape: s.shape })), inputs, opts);
      const args = addOutputTensors(device, pipeline, uploadInputs(device, pipeline, inputs, made), made);
      const heap = createHeap(device, pipeline.intermediatesHeapSize, `${pipeline.label} debug heap`);
      made.push(heap);
      const bound = pipeline.bind(args, heap);
      if (opts.onProgress) await warmUpNetwork(bound, opts.onProgress);
      const size = Math.max(4, Math.ceil(pipeline.intermediatesHeapSize / 4) * 4);
      const staging = device.createBuffer({ label: `${pipeline.label} debug readback`, size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      made.push(staging);
      const enc = device.createCommandEncoder({ label: `wgml debug ${pipeline.label}` });
      encodeNetwork(enc, bound);
      enc.copyBufferToBuffer(heap.buffer, 0, staging, 0, size);
      device.queue.submit([enc.finish()]);
      await staging.mapAsync(GPUMapMode.READ);
      const heapBytes = staging.getMappedRange().slice(0);
      staging.unmap();
      const outs = new Map<string, ArrayBuffer>();
      for (const s of pipeline.outputs) { const raw = await args[s.name]!.read(); outs.set(s.name, raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength) as ArrayBuffer); }
      const weightAt = new Map(p.weights.map((w) => [w.offset, w.tensor]));
      const values = new Map<string, HostTensor>();
      for (const [name, v] of p.values) {
        const pl = v.place;
        if (pl.kind === 'heap') values.set(name, view(heapBytes, pl.offset, v.type));
        else if (pl.kind === 'output') values.set(name, view(outs.get(pl.name)!, pl.offset, v.type));
        else if (pl.kind === 'input') { const h = inputs[pl.name]!; values.set(name, view(new (h.data.constructor as Float32ArrayConstructor)(h.data).buffer, pl.offset, v.type)); }
        else { const w = weightAt.get(pl.offset); if (w) values.set(name, { ...w, dtype: v.type.dtype, shape: [...v.type.shape] }); }
      }
      return values;
    });
  } finally {
    for (const m of made) m.destroy();
  }
}

/** Statistics per node and the first bad one. */
export function analyze(p: Program, values: Map<string, HostTensor>, opts: ExplodeOptions = {}): { nodes: NodeReport[]; firstBad: BadNode | null } {
  const statsCache = new Map<string, TensorStats>();
  const report = (name: string): ValueReport | null => {
    const v = p.values.get(name), h = values.get(name);
    if (!v || !h) return null;
    let s = statsCache.get(name);
    if (!s) { s = tensorStats(h.data); statsCache.set(name, s); }
    return { name, dtype: v.type.dtype, shape: [...v.type.shape], place: v.place, stats: s };
  };
  let firstBad: BadNode | null = null;
  const nodes = p.nodes.map((n, index): NodeReport => {
    const inputs = n.inputs.filter(Boolean).map(report).filter((r): r is ValueReport => !!r);
    const outputs = n.outputs.filter(Boolean).map(report).filter((r): r is ValueReport => !!r);
    const inBad = inputs.some((i) => i.stats.nan || i.stats.inf);
    const reasons: string[] = [];
    let explodes: number | null = null;
    for (const o of outputs) {
      if (o.stats.nan) reasons.push(`output '${o.name}' holds ${o.stats.nan} NaN of ${o.stats.count}${inBad ? ' (inputs already had NaN/Inf)' : ''}`);
      if (o.stats.inf) reasons.push(`output '${o.name}' holds ${o.stats.inf} Inf of ${o.stats.count}${inBad ? ' (inputs already had NaN/Inf)' : ''}`);
      const r = explosion(inputs.map((i) => i.stats), o.stats, opts);
      if (r !== null) {
        explodes = Math.max(explodes ?? 0, r);
        reasons.push(`output '${o.name}' explodes: max |x| ${o.stats.absMax.toExponential(2)} is ${r.toExponential(1)}× the inputs' (${Math.max(...inputs.map((i) => i.stats.absMax)).toExponential(2)})`);
      }
    }
    const reason = reasons.join('; ');
    if (reason && !firstBad) firstBad = { name: n.name, op: n.domain ? `${n.domain}.${n.opType}` : n.opType, index, reason };
    return { index, name: n.name, op: n.opType, domain: n.domain, attrs: plainAttrs(n.attrs), inputs, outputs, explodes, reason };
  });
  return { nodes, firstBad };
}

/**
 * Run a network with every intermediate kept and get per-node statistics.
 * Given a graph, builds a debug pipeline (`noReuse`, and `fuse: false` unless asked otherwise);
 * given a pipeline, it must have been created with `noReuse: true`.
 * @example
 * const cap = await wgml.debugRun(device, lib.function('main'), { input: x });
 * if (cap.firstBad) console.log(cap.firstBad.name, cap.firstBad.reason);
 */
export async function debugRun(device: GPUDevice, net: NetworkPipeline | Graph | { graph: Graph }, inputs: Record<string, HostTensor>, opts: DebugRunOptions = {}): Promise<DebugCapture> {
  let pipeline: NetworkPipeline;
  let own = false;
  if (net instanceof NetworkPipeline) {
    pipeline = net;
    const clash = reusedRanges(pipeline.program);
    if (clash) throw new ResourceStateError(`pipeline '${pipeline.label}' reuses heap memory (${clash} share bytes), so its intermediates cannot all be captured`, 'create it with createPipeline(device, fn, { noReuse: true }), or pass the graph to debugRun', { pipeline: pipeline.label });
  } else {
    const graph = 'graph' in net ? net.graph : net;
    const inputDimensions: Record<string, readonly number[]> = { ...opts.inputDimensions };
    for (const i of graph.inputs) if (inputs[i.name] && !inputDimensions[i.name] && !graph.initializers.has(i.name)) inputDimensions[i.name] = inputs[i.name]!.shape;
    pipeline = await createPipeline(device, graph, { ...opts, inputDimensions, fuse: opts.fuse ?? false, noReuse: true, label: opts.label ?? `${graph.name || 'network'} (debug)` });
    own = true;
  }
  try {
    const values = await captureValues(device, pipeline, inputs, opts);
    return { program: pipeline.program, values, ...analyze(pipeline.program, values, opts) };
  } finally {
    if (own) pipeline.destroy();
  }
}

/** Human-readable report of one node: op, attributes, input and output statistics. */
export function fmtNode(n: NodeReport): string {
  const lines = [`#${n.index} ${n.name} (${n.domain ? `${n.domain}.` : ''}${n.op})`];
  const attrs = Object.entries(n.attrs);
  if (attrs.length) lines.push(`  attributes: ${attrs.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}`);
  for (const i of n.inputs) lines.push(`  in  ${i.name} ${i.dtype} ${fmtShape(i.shape)} (${i.place.kind}): ${fmtStats(i.stats)}`);
  for (const o of n.outputs) lines.push(`  out ${o.name} ${o.dtype} ${fmtShape(o.shape)} (${o.place.kind}): ${fmtStats(o.stats)}`);
  if (n.reason) lines.push(`  ${n.reason}`);
  return lines.join('\n');
}
