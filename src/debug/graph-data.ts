/**
 * What a graph page shows, computed at write time in Node: the top-down layered layout (dagre), each
 * node's details, and the numbers the overlays colour by (GPU time from the profiler, error against
 * the reference, NaN/Inf counts and max |x| from a debug capture, FLOPs). The page only draws.
 */
import dagre from '@dagrejs/dagre';
import type { BadNode, DebugCapture } from './capture.js';
import { plainAttrs } from './capture.js';
import type { Program } from '../runtime/compile.js';
import { fmtStats } from './stats.js';
import { previewDataUrl } from './viewer.js';
import type { OverlayKey, PageData, PageEdge, PageNode, PagePlace, PageValue } from './page/types.js';

/** The parts of `wgml inspect --json` the page shows. */
export interface InspectLike {
  inputs: { name: string; dtype: string; shape: number[] }[];
  outputs: { name: string; dtype: string; shape: number[] }[];
  nodes: {
    name: string; op: string; flops: number; kernels: string[]; attrs: Record<string, unknown>;
    inputs: { name: string; shape?: number[]; place?: unknown }[];
    outputs: { name: string; shape?: number[]; place?: unknown }[];
  }[];
  flops?: number; intermediatesHeapSize?: number; peakLiveBytes?: number; weightsBytes?: number; dispatches?: number;
}

/** What the debugger and the profiler add to a page. */
export interface GraphPageOptions {
  /** A debug capture: per-node statistics, previews, NaN/Inf counts, the first bad node. */
  capture?: DebugCapture;
  /** Relative error against the reference per node name (`debugModel(…, { reference: true })`). */
  relErr?: Map<string, number | null>;
  /** The first bad node; default the capture's. Pass null to mark none. */
  firstBad?: BadNode | null;
  /** GPU time per node name in ns (`GpuProfiler` passes). */
  times?: Map<string, number>;
  /** Relative error that fails a node (reference mode), shown on the error overlay's legend. */
  rtol?: number;
  title?: string;
}

/** The inspect shape from a compiled program (e.g. a capture's), for pages made from code. */
export function inspectOfProgram(p: Program): InspectLike {
  const t = (n: string) => p.values.get(n)?.type;
  const io = (n: string) => ({ name: n, shape: t(n)?.shape, place: p.values.get(n)?.place });
  const nodes = p.nodes.map((n) => ({
    name: n.name, op: n.domain ? `${n.domain}.${n.opType}` : n.opType, attrs: plainAttrs(n.attrs),
    inputs: n.inputs.filter(Boolean).map(io), outputs: n.outputs.filter(Boolean).map(io),
    kernels: n.dispatches.map((d) => p.dispatches[d]!.kernel.name), flops: n.flops,
  }));
  return {
    inputs: p.inputs.map((i) => ({ name: i.name, dtype: i.type.dtype, shape: i.type.shape })), outputs: p.outputs.map((o) => ({ name: o.name, dtype: o.type.dtype, shape: o.type.shape })),
    nodes, flops: nodes.reduce((a, n) => a + n.flops, 0), dispatches: p.dispatches.length,
    intermediatesHeapSize: p.intermediatesHeapSize, peakLiveBytes: p.peakLiveBytes, weightsBytes: p.weightsBytes,
  };
}

/** What the fusion passes folded into a node, from its attributes. */
export function fusedParts(op: string, attrs: Record<string, unknown>): string[] {
  const parts: string[] = [];
  if ('wgml_residual' in attrs) parts.push(`residual Add (${JSON.stringify(attrs.wgml_residual)})`);
  if ('wgml_act' in attrs) parts.push(`activation ${String(attrs.wgml_act)}${attrs.wgml_act_params ? ` ${JSON.stringify(attrs.wgml_act_params)}` : ''}`);
  if (typeof attrs.wgml_epilogue === 'string') {
    // a GEMM epilogue program (passes/fuse-gemm-epilogue.ts): the absorbed ops in evaluation order
    try { parts.push(`epilogue ${(JSON.parse(attrs.wgml_epilogue) as { steps: { op: string }[] }).steps.map((s) => s.op).join(' → ')}`); } catch { parts.push('epilogue (unreadable program)'); }
  }
  if (op.endsWith('FusedElementwise')) for (const [k, v] of Object.entries(attrs)) if (!k.startsWith('wgml_act') && k !== 'wgml_residual') parts.push(`${k}: ${JSON.stringify(v)}`);
  return parts;
}

// Op families as Netron colours them, so people coming from it read the page at a glance.
const FAMILIES: [string, RegExp][] = [
  ['quant', /[Qq]uantize|Integer$/],
  ['conv', /^(Conv|ConvTranspose|MatMul|Gemm|Einsum|LSTM|GRU|RNN)$/],
  ['act', /^(Relu|LeakyRelu|PRelu|Elu|Selu|Celu|Sigmoid|HardSigmoid|HardSwish|Tanh|Gelu|Mish|Softplus|Softsign|Softmax|LogSoftmax|Hardmax|Clip|ThresholdedRelu|Shrink|Erf)$/],
  ['pool', /Pool$/],
  ['norm', /Normalization$|^LRN$/],
  ['shape', /^(Reshape|Flatten|Squeeze|Unsqueeze|Transpose|Concat|Split|Slice|Gather\w*|Pad|Expand|Tile|Resize|Upsample|Identity|Shape|Size|DepthToSpace|SpaceToDepth|Cast|CastLike|Constant\w*|Range|Scatter\w*|Trilu|OneHot|EyeLike|Copy)$/],
  ['fused', /^FusedElementwise$/],
];

/** The family of an op type ('math' when none fits), for the node's header colour. */
export function opFamily(op: string): string {
  const base = op.slice(op.lastIndexOf('.') + 1);
  return FAMILIES.find(([, re]) => re.test(base))?.[0] ?? 'math';
}

const place = (p: unknown): PagePlace | undefined => {
  const q = p as { kind?: string; offset?: number; bytes?: number; name?: string } | undefined;
  return q?.kind ? { kind: q.kind as PagePlace['kind'], offset: q.offset ?? 0, bytes: q.bytes ?? 0, ...(q.name ? { name: q.name } : {}) } : undefined;
};
const finite = (v: number) => (Number.isFinite(v) ? v : Number.MAX_VALUE);

// Widths follow the text (≈6.3 px per character of 11 px system-ui), clamped so long names do not make
// one node dominate the layout; the page shortens what does not fit.
const nodeWidth = (head: number, body: number) => Math.round(Math.min(230, Math.max(112, 6.3 * Math.max(head + 9, body) + 16)));

/** Lay the graph out top-down and collect everything the page shows. */
export function graphPageData(j: InspectLike, opts: GraphPageOptions = {}): PageData {
  const { capture, relErr, times } = opts;
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 18, ranksep: 24, edgesep: 8, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}));
  const nodes: PageNode[] = [];
  const producer = new Map<string, string>();
  const reports = new Map(capture?.nodes.map((n) => [n.name, n]) ?? []);
  const add = (n: Omit<PageNode, 'x' | 'y' | 'w' | 'h'>) => {
    const h = n.kind === 'op' ? 38 : 30;
    const w = n.kind === 'op' ? nodeWidth(n.op.length, n.label.length) : nodeWidth(0, n.label.length + 14);
    nodes.push({ ...n, x: 0, y: 0, w, h });
    g.setNode(n.id, { width: w, height: h });
  };
  const io = (kind: 'input' | 'output', v: InspectLike['inputs'][number], k: number) => ({
    id: `${kind === 'input' ? 'in' : 'out'}:${v.name}`, kind, label: v.name, op: kind, cat: 'io', index: kind === 'input' ? -1 : j.nodes.length + k,
    fused: [], flops: 0, kernels: [], attrs: {}, stats: [], previews: [], bad: '', metrics: {},
    inputs: kind === 'output' ? [{ name: v.name, dtype: v.dtype, shape: v.shape }] : [], outputs: kind === 'input' ? [{ name: v.name, dtype: v.dtype, shape: v.shape }] : [],
  });
  j.inputs.forEach((i, k) => { add(io('input', i, k)); producer.set(i.name, `in:${i.name}`); });
  const values = new Map<string, PageValue>();
  const value = (v: InspectLike['nodes'][number]['inputs'][number]): PageValue => {
    const pv = { name: v.name, shape: v.shape, place: place(v.place) };
    values.set(v.name, pv);
    return pv;
  };
  j.nodes.forEach((n, k) => {
    const id = `n${k}`, r = reports.get(n.name);
    const stats = r ? [...r.inputs.map((v) => `in  ${v.name}: ${fmtStats(v.stats)}`), ...r.outputs.map((v) => `out ${v.name}: ${fmtStats(v.stats)}`)] : [];
    const previews: PageNode['previews'] = [];
    if (capture && j.nodes.length <= 400) for (const o of n.outputs) { const t = capture.values.get(o.name); const url = t && previewDataUrl(t); if (url) previews.push({ name: o.name, url }); }
    const metrics: PageNode['metrics'] = {};
    if (n.flops > 0) metrics.flops = n.flops;
    if (times?.has(n.name)) metrics.time = times.get(n.name)!;
    const e = relErr?.get(n.name);
    if (e !== undefined) metrics.err = e === null ? null : finite(e);
    if (r) {
      metrics.naninf = r.outputs.reduce((a, o) => a + o.stats.nan + o.stats.inf, 0);
      metrics.absmax = r.outputs.length ? Math.max(...r.outputs.map((o) => o.stats.absMax)) : null;
    }
    add({ id, kind: 'op', label: n.name, op: n.op, cat: opFamily(n.op), index: k, fused: fusedParts(n.op, n.attrs), flops: n.flops, kernels: n.kernels, attrs: n.attrs,
      inputs: n.inputs.map(value), outputs: n.outputs.map(value), stats, previews, bad: r?.reason ?? '', metrics });
    for (const o of n.outputs) producer.set(o.name, id);
  });
  j.outputs.forEach((o, k) => add(io('output', o, k)));
  const edges: Omit<PageEdge, 'points'>[] = [];
  const shapeOf = (v: string) => values.get(v)?.shape ?? j.inputs.find((i) => i.name === v)?.shape;
  j.nodes.forEach((n, k) => { for (const i of n.inputs) { const p = producer.get(i.name); if (p) edges.push({ from: p, to: `n${k}`, value: i.name, shape: shapeOf(i.name) }); } });
  for (const o of j.outputs) { const p = producer.get(o.name); if (p) edges.push({ from: p, to: `out:${o.name}`, value: o.name, shape: o.shape }); }
  edges.forEach((e, k) => g.setEdge(e.from, e.to, {}, `e${k}`));
  dagre.layout(g);
  for (const n of nodes) { const l = g.node(n.id); n.x = l.x; n.y = l.y; }
  const laid = edges.map((e, k) => ({ ...e, points: (g.edge({ v: e.from, w: e.to, name: `e${k}` }) as { points: { x: number; y: number }[] }).points.map((p) => ({ x: Math.round(p.x * 10) / 10, y: Math.round(p.y * 10) / 10 })) }));
  const gg = g.graph() as { width?: number; height?: number };

  const firstBad = opts.firstBad !== undefined ? opts.firstBad : capture?.firstBad ?? null;
  const badNode = firstBad ? nodes.find((n) => n.kind === 'op' && n.label === firstBad.name) : undefined;
  const overlays: OverlayKey[] = ['op'];
  if (times) overlays.push('time');
  if (relErr) overlays.push('err');
  if (capture) overlays.push('naninf', 'absmax');
  if (j.nodes.some((n) => n.flops > 0)) overlays.push('flops');
  const mode: PageData['mode'] = times ? 'profile' : relErr ? 'reference' : capture ? 'debug' : 'inspect';
  // Open on what the page was made for: the profile's times, the reference error, the kind of fault found.
  const defaultOverlay: OverlayKey = times ? 'time' : relErr ? 'err' : badNode ? (/NaN|Inf/.test(firstBad!.reason) ? 'naninf' : 'absmax') : 'op';
  const gpuTimeNs = times ? [...times.values()].reduce((a, b) => a + b, 0) : undefined;
  return {
    title: opts.title ?? 'wgml graph', mode, width: Math.ceil(gg.width ?? 400), height: Math.ceil(gg.height ?? 200), nodes, edges: laid,
    summary: { inputs: j.inputs, outputs: j.outputs, nodes: j.nodes.length, dispatches: j.dispatches, flops: j.flops, intermediatesHeapSize: j.intermediatesHeapSize, peakLiveBytes: j.peakLiveBytes, weightsBytes: j.weightsBytes, gpuTimeNs },
    overlays, defaultOverlay, firstBad: badNode ? { id: badNode.id, reason: firstBad!.reason } : null, rtol: opts.rtol,
  };
}
