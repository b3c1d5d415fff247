/**
 * GPU timeline and dependencies of a frame: timestamp queries per pass (a network recorded one pass per
 * node, plus the application's own passes that take `timestampWrites` from the recorder), written as
 * Chrome trace / Perfetto JSON; and a listing of which passes read and write which resources, flagging
 * reads of ranges no earlier pass wrote (ordering bugs between ML and rendering).
 */
import { LimitError, WgmlError } from '../errors.js';
import { dispatchWorkgroups } from '../gpu/dispatch.js';
import type { BoundNetwork } from '../runtime/bind.js';
import type { Place } from '../runtime/compile.js';

/** Bytes [start, end) of a named resource (buffer label, texture name, tensor label); whole resource when absent. */
export interface ResourceRange { resource: string; start?: number; end?: number }
export type ResourceRef = string | ResourceRange;
export interface PassDeps { reads?: ResourceRef[]; writes?: ResourceRef[] }

export interface PassRecord {
  name: string;
  /** Trace row: the network's label for its nodes, 'app' for the application's passes unless named. */
  track: string;
  reads: ResourceRange[];
  writes: ResourceRange[];
  /** Op of a network node. */
  op?: string;
  /** GPU times in ns from the first timestamp of the frame (after read()). */
  startNs?: number;
  endNs?: number;
}

export interface DependencyProblem { pass: string; index: number; read: ResourceRange; reason: string }

const norm = (r: ResourceRef): ResourceRange => (typeof r === 'string' ? { resource: r } : r);
const fmtRange = (r: ResourceRange) => `${r.resource}${r.start !== undefined || r.end !== undefined ? `[${r.start ?? 0}, ${r.end ?? '∞'})` : ''}`;

/** Resources a network's places map to: the heap buffer, the weights, each bound tensor by its label. */
function placeRange(bound: BoundNetwork, pl: Place): ResourceRange {
  switch (pl.kind) {
    case 'heap': return { resource: bound.heap.buffer.label || 'wgml heap', start: pl.offset, end: pl.offset + pl.bytes };
    case 'weights': return { resource: `${bound.pipeline.label} weights`, start: pl.offset, end: pl.offset + pl.bytes };
    case 'input': case 'output': {
      const t = bound.args[pl.name]!;
      return { resource: t.label || pl.name, start: t.offset * 4 + pl.offset, end: t.offset * 4 + pl.offset + pl.bytes };
    }
  }
}

/** Per node with kernels: the ranges it reads and writes (heap ranges by byte offset). */
export function networkDependencies(bound: BoundNetwork): { node: string; op: string; dispatches: number[]; reads: ResourceRange[]; writes: ResourceRange[] }[] {
  const p = bound.pipeline.program;
  return p.nodes.filter((n) => n.dispatches.length).map((n) => {
    const reads: ResourceRange[] = [], writes: ResourceRange[] = [];
    for (const d of n.dispatches) {
      const disp = p.dispatches[d]!;
      disp.kernel.args.forEach((a, i) => { ('input' in a ? reads : writes).push(placeRange(bound, disp.places[i]!)); });
    }
    return { node: n.name, op: n.opType, dispatches: n.dispatches, reads, writes };
  });
}

/**
 * Record a bound network one compute pass per node (instead of encodeNetwork's single pass), so each
 * node can get its own timestamps. `timestamps(i, name)` gives the writes for the i-th recorded pass.
 */
export function encodeNetworkProfiled(encoder: GPUCommandEncoder, bound: BoundNetwork, timestamps?: (pass: number, node: string) => GPUComputePassTimestampWrites | undefined): void {
  bound.assertUsable();
  const p = bound.pipeline;
  const prog = p.program;
  let k = 0;
  for (const n of prog.nodes) {
    if (!n.dispatches.length) continue;
    const tw = timestamps?.(k++, n.name);
    const pass = encoder.beginComputePass(tw ? { label: `${p.label}: ${n.name}`, timestampWrites: tw } : { label: `${p.label}: ${n.name}` });
    for (const d of n.dispatches) {
      const wg = prog.dispatches[d]!.kernel.workgroups;
      if (wg[0] === 0 || wg[1] === 0 || wg[2] === 0) continue;
      pass.setPipeline(p.gpuPipelines[d]!);
      pass.setBindGroup(0, bound.bindGroups[d]!);
      dispatchWorkgroups(pass, wg);
    }
    pass.end();
  }
}

/** Walk passes in order; report every read of a range that neither an earlier pass nor `preWritten` wrote. */
export function checkDependencies(passes: { name: string; reads: ResourceRange[]; writes: ResourceRange[] }[], preWritten: ResourceRef[] = []): DependencyProblem[] {
  const written = new Map<string, [number, number][]>();
  const mark = (r: ResourceRange) => { const l = written.get(r.resource) ?? []; l.push([r.start ?? 0, r.end ?? Infinity]); written.set(r.resource, l); };
  preWritten.map(norm).forEach(mark);
  const problems: DependencyProblem[] = [];
  passes.forEach((p, index) => {
    for (const r of p.reads) {
      const ivs = (written.get(r.resource) ?? []).slice().sort((a, b) => a[0] - b[0]);
      // A read without a range (a whole texture or buffer whose size we do not know) needs some earlier write.
      if (r.start === undefined && r.end === undefined && ivs.length) continue;
      let at = r.start ?? 0;
      const end = r.end ?? Infinity;
      for (const [s, e] of ivs) { if (s > at) break; at = Math.max(at, e); if (at >= end) break; }
      if (at < end) problems.push({ pass: p.name, index, read: r, reason: ivs.length ? `bytes [${at}, ${end === Infinity ? '∞' : end}) of '${r.resource}' were not written by an earlier pass` : `'${r.resource}' is read before any pass writes it` });
    }
    p.writes.forEach(mark);
  });
  return problems;
}

export interface TraceEvent { name: string; ph: 'X' | 'M'; pid: number; tid: number; ts?: number; dur?: number; cat?: string; args?: Record<string, unknown> }
export interface ChromeTrace { traceEvents: TraceEvent[]; displayTimeUnit: 'ms' | 'ns'; otherData?: Record<string, unknown> }

/** Chrome trace / Perfetto JSON: one 'X' event per timed pass (ts/dur in µs), one row (tid) per track. */
export function toChromeTrace(passes: PassRecord[], meta: Record<string, unknown> = {}): ChromeTrace {
  const tracks = [...new Set(passes.map((p) => p.track))];
  const events: TraceEvent[] = [{ name: 'process_name', ph: 'M', pid: 1, tid: 0, args: { name: 'GPU' } }];
  tracks.forEach((t, i) => events.push({ name: 'thread_name', ph: 'M', pid: 1, tid: i + 1, args: { name: t } }));
  for (const p of passes) {
    if (p.startNs === undefined || p.endNs === undefined) continue;
    events.push({ name: p.name, cat: p.op ? 'network' : 'app', ph: 'X', pid: 1, tid: tracks.indexOf(p.track) + 1, ts: p.startNs / 1000, dur: Math.max(0, p.endNs - p.startNs) / 1000,
      args: { ...(p.op ? { op: p.op } : {}), reads: p.reads.map(fmtRange), writes: p.writes.map(fmtRange) } });
  }
  return { traceEvents: events, displayTimeUnit: 'ms', otherData: { producer: 'wgml', ...meta } };
}

/** Schema problems of a trace (empty when valid): what chrome://tracing and Perfetto need. */
export function validateTrace(t: unknown): string[] {
  const errs: string[] = [];
  const o = t as ChromeTrace;
  if (!o || typeof o !== 'object' || !Array.isArray(o.traceEvents)) return ['traceEvents must be an array'];
  o.traceEvents.forEach((e, i) => {
    const at = `traceEvents[${i}]`;
    if (typeof e.name !== 'string' || !e.name) errs.push(`${at}.name must be a non-empty string`);
    if (!Number.isInteger(e.pid) || !Number.isInteger(e.tid)) errs.push(`${at}: pid and tid must be integers`);
    if (e.ph === 'X') {
      if (typeof e.ts !== 'number' || !Number.isFinite(e.ts) || e.ts < 0) errs.push(`${at}.ts must be a finite number of µs ≥ 0`);
      if (typeof e.dur !== 'number' || !Number.isFinite(e.dur) || e.dur < 0) errs.push(`${at}.dur must be a finite number of µs ≥ 0`);
    } else if (e.ph === 'M') {
      if (!['process_name', 'thread_name', 'process_sort_index', 'thread_sort_index'].includes(e.name) || typeof e.args !== 'object') errs.push(`${at}: metadata events need a known name and args`);
    } else errs.push(`${at}.ph '${String(e.ph)}' is not 'X' or 'M'`);
    if (e.args !== undefined && (typeof e.args !== 'object' || e.args === null)) errs.push(`${at}.args must be an object`);
  });
  if (o.displayTimeUnit !== undefined && !['ms', 'ns'].includes(o.displayTimeUnit)) errs.push(`displayTimeUnit must be 'ms' or 'ns'`);
  try { JSON.parse(JSON.stringify(o)); } catch { errs.push('the trace is not JSON-serializable'); }
  return errs;
}

/**
 * Records one frame: hand out timestampWrites for named passes, record networks one pass per node,
 * then resolve into the same encoder and read the times back.
 * @example
 * const prof = new wgml.GpuProfiler(device);
 * prof.markWritten('input');            // uploaded with writeBuffer before the frame
 * prof.network(encoder, bound);
 * const pass = encoder.beginRenderPass({ ..., timestampWrites: prof.pass('lighting', { reads: ['ao'], writes: ['swapchain'] }) });
 * prof.resolve(encoder); device.queue.submit([encoder.finish()]);
 * const frame = await prof.read(); writeFileSync('trace.json', JSON.stringify(frame.trace));
 */
export class GpuProfiler {
  readonly device: GPUDevice;
  readonly capacity: number;
  readonly querySet: GPUQuerySet;
  #resolve: GPUBuffer;
  #readback: GPUBuffer;
  #passes: PassRecord[] = [];
  #pre: ResourceRange[] = [];
  #resolved = false;

  constructor(device: GPUDevice, opts: { capacity?: number; label?: string } = {}) {
    if (!device.features.has('timestamp-query'))
      throw new WgmlError('E_NO_TIMESTAMPS', 'the device was created without the timestamp-query feature', "request it (wgml.requestDevice does when the adapter has it); Chrome may also need --enable-dawn-features=allow_unsafe_apis");
    this.device = device;
    this.capacity = opts.capacity ?? 512;
    const label = opts.label ?? 'wgml profiler';
    this.querySet = device.createQuerySet({ label, type: 'timestamp', count: 2 * this.capacity });
    this.#resolve = device.createBuffer({ label: `${label} resolve`, size: 16 * this.capacity, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    this.#readback = device.createBuffer({ label: `${label} readback`, size: 16 * this.capacity, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  }

  /** Start a new frame: forget the passes of the last one. */
  beginFrame(): void { this.#passes = []; this.#pre = []; this.#resolved = false; }

  /** Resources written outside any pass before the frame (writeBuffer uploads, copies): reads of them are not flagged. */
  markWritten(...resources: ResourceRef[]): void { this.#pre.push(...resources.map(norm)); }

  /** timestampWrites for the application's next pass, and what it reads and writes. */
  pass(name: string, deps: PassDeps = {}, track = 'app'): GPUComputePassTimestampWrites & GPURenderPassTimestampWrites {
    const i = this.#passes.length;
    if (i >= this.capacity) throw new LimitError(`the profiler holds ${this.capacity} passes per frame`, 'create it with a larger capacity', { capacity: this.capacity });
    this.#passes.push({ name, track, reads: (deps.reads ?? []).map(norm), writes: (deps.writes ?? []).map(norm) });
    return { querySet: this.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 };
  }

  /** Record a bound network one timed pass per node; its weights count as written. */
  network(encoder: GPUCommandEncoder, bound: BoundNetwork, track = bound.pipeline.label): void {
    const deps = networkDependencies(bound);
    this.#pre.push({ resource: `${bound.pipeline.label} weights` });
    encodeNetworkProfiled(encoder, bound, (k) => {
      const d = deps[k]!;
      const tw = this.pass(d.node, { reads: d.reads, writes: d.writes }, track);
      this.#passes[this.#passes.length - 1]!.op = d.op;
      return tw;
    });
  }

  /** Copy this frame's timestamps out; record into the frame's encoder after its last pass. */
  resolve(encoder: GPUCommandEncoder): void {
    const n = this.#passes.length;
    if (!n) return;
    encoder.resolveQuerySet(this.querySet, 0, 2 * n, this.#resolve, 0);
    encoder.copyBufferToBuffer(this.#resolve, 0, this.#readback, 0, 16 * n);
    this.#resolved = true;
  }

  /** After submit: pass times, the Chrome trace and the dependency problems of the frame. */
  async read(): Promise<{ passes: PassRecord[]; trace: ChromeTrace; problems: DependencyProblem[] }> {
    const passes = this.#passes.map((p) => ({ ...p }));
    if (this.#resolved && passes.length) {
      await this.#readback.mapAsync(GPUMapMode.READ, 0, 16 * passes.length);
      const t = new BigUint64Array(this.#readback.getMappedRange(0, 16 * passes.length).slice(0));
      this.#readback.unmap();
      const t0 = t.reduce((a, b) => (b < a ? b : a));
      passes.forEach((p, i) => { p.startNs = Number(t[2 * i]! - t0); p.endNs = Math.max(p.startNs, Number(t[2 * i + 1]! - t0)); });
    }
    return { passes, trace: toChromeTrace(passes), problems: checkDependencies(passes, this.#pre) };
  }

  destroy(): void { this.querySet.destroy(); this.#resolve.destroy(); this.#readback.destroy(); }
}

/** A text listing of passes with their times, reads and writes, and the problems found. */
export function fmtDependencies(passes: PassRecord[], problems: DependencyProblem[]): string {
  const lines = passes.map((p, i) => `${String(i).padStart(3)} ${`${p.track}: ${p.name}`.padEnd(34)} ${p.startNs !== undefined ? `${((p.endNs! - p.startNs) / 1e3).toFixed(1).padStart(9)} µs` : ''}\n      reads  ${p.reads.map(fmtRange).join(', ') || '—'}\n      writes ${p.writes.map(fmtRange).join(', ') || '—'}`);
  for (const q of problems) lines.push(`! pass ${q.index} '${q.pass}' reads ${fmtRange(q.read)}: ${q.reason}`);
  return lines.join('\n');
}
