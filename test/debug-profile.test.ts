import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as wgml from '../src/index.js';
import { register } from '../src/cli/profile.js';
import { GpuProfiler, checkDependencies, encodeNetworkProfiled, networkDependencies, validateTrace, toChromeTrace } from '../src/debug/profiler.js';
import { loadGraph } from '../src/runtime/library.js';
import { runCli } from './helpers/cli.js';
import { testDevice } from './helpers/gpu.js';
import { rng, randn, testSeed, compareClose } from './helpers/random.js';
import { chainModel, fusedModel } from './fixtures/debug/models.js';

const seed = testSeed();

async function setup(model: Uint8Array, fuse = true) {
  const device = await testDevice();
  const { graph } = await loadGraph(model);
  const pipeline = await wgml.createPipeline(device, graph, { fuse });
  const args: Record<string, wgml.Tensor> = {};
  for (const s of [...pipeline.inputs, ...pipeline.outputs]) args[s.name] = wgml.tensor(device, { dtype: s.dtype, shape: s.shape, label: s.name });
  for (const s of pipeline.inputs) args[s.name]!.write(randn(rng(seed), s.shape.reduce((a, b) => a * b, 1)));
  const heap = wgml.createHeap(device, pipeline.intermediatesHeapSize);
  const bound = pipeline.bind(args, heap);
  const destroy = () => { for (const t of Object.values(args)) t.destroy(); heap.destroy(); pipeline.destroy(); };
  return { device, pipeline, args, heap, bound, destroy };
}

describe('profiler', () => {
  it('records a network one pass per node with the same results, times every pass and writes a valid trace', async () => {
    const { device, pipeline, args, bound, destroy } = await setup(chainModel(), false);
    let e = device.createCommandEncoder();
    wgml.encodeNetwork(e, bound);
    device.queue.submit([e.finish()]);
    const expected = await args.y!.read();
    await args.y!.write(new Float32Array(12));
    const prof = new GpuProfiler(device);
    prof.beginFrame();
    prof.markWritten('x');
    e = device.createCommandEncoder();
    const pre = e.beginComputePass({ timestampWrites: prof.pass('app prepare', { writes: ['gbuffer'] }) }); pre.end();
    // an ordering bug: this pass reads the network's output before the network runs
    const early = e.beginComputePass({ timestampWrites: prof.pass('app early', { reads: ['y'] }) }); early.end();
    prof.network(e, bound);
    const post = e.beginComputePass({ timestampWrites: prof.pass('app lighting', { reads: ['gbuffer', 'y', 'ao'], writes: ['frame'] }) }); post.end();
    prof.resolve(e);
    device.queue.submit([e.finish()]);
    const frame = await prof.read();
    expect(compareClose(await args.y!.read(), expected, 0, 0)).toBeNull();
    const kernelNodes = pipeline.program.nodes.filter((n) => n.dispatches.length).map((n) => n.name);
    expect(frame.passes.map((p) => p.name)).toEqual(['app prepare', 'app early', ...kernelNodes, 'app lighting']);
    expect(validateTrace(frame.trace)).toEqual([]);
    const xs = frame.trace.traceEvents.filter((ev) => ev.ph === 'X');
    expect(xs).toHaveLength(frame.passes.length);
    const threads = frame.trace.traceEvents.filter((ev) => ev.ph === 'M' && ev.name === 'thread_name').map((ev) => ev.args!.name);
    expect(threads).toEqual(['app', pipeline.label]);
    // passes on one queue run in order: each starts no earlier than the one before
    for (let i = 1; i < frame.passes.length; i++) expect(frame.passes[i]!.startNs!).toBeGreaterThanOrEqual(frame.passes[i - 1]!.startNs!);
    expect(frame.passes.some((p) => p.endNs! > p.startNs!)).toBe(true);
    // 'y' read before the network wrote it, and 'ao' read but never written
    expect(frame.problems.map((p) => [p.pass, p.read.resource])).toEqual([['app early', 'y'], ['app lighting', 'ao']]);
    prof.destroy(); destroy();
  });

  it('lists heap ranges per node and flags reads of ranges no earlier pass wrote', async () => {
    const { bound, destroy } = await setup(fusedModel());
    const deps = networkDependencies(bound);
    expect(deps.length).toBe(bound.pipeline.program.nodes.filter((n) => n.dispatches.length).length);
    const heapWrites = deps.flatMap((d) => d.writes).filter((w) => w.resource === 'wgml heap');
    expect(heapWrites.length).toBeGreaterThan(0);
    expect(checkDependencies(deps.map((d) => ({ name: d.node, ...d })), ['x', 'skip', `${bound.pipeline.label} weights`])).toEqual([]);
    // drop the first node: what it wrote is now read unwritten
    const rest = deps.slice(1).map((d) => ({ name: d.node, ...d }));
    const probs = checkDependencies(rest, ['x', 'skip', `${bound.pipeline.label} weights`]);
    expect(probs.length).toBeGreaterThan(0);
    expect(probs[0]!.pass).toBe(deps[1]!.node);
    // a partly written range names the missing bytes
    const part = checkDependencies([{ name: 'w', reads: [], writes: [{ resource: 'b', start: 0, end: 64 }] }, { name: 'r', reads: [{ resource: 'b', start: 32, end: 128 }], writes: [] }]);
    expect(part[0]!.reason).toMatch(/\[64, 128\)/);
    destroy();
  });

  it('rejects malformed traces', () => {
    expect(validateTrace({})).not.toEqual([]);
    expect(validateTrace({ traceEvents: [{ name: 'a', ph: 'X', pid: 1, tid: 1, ts: -1, dur: 2 }] })).toHaveLength(1);
    expect(validateTrace({ traceEvents: [{ name: 'a', ph: 'B', pid: 1, tid: 1, ts: 0 }] })).toHaveLength(1);
    expect(validateTrace(toChromeTrace([{ name: 'p', track: 't', reads: [], writes: [], startNs: 1000, endNs: 3000 }]))).toEqual([]);
    expect(toChromeTrace([{ name: 'p', track: 't', reads: [], writes: [], startNs: 1000, endNs: 3000 }]).traceEvents.at(-1)).toMatchObject({ ts: 1, dur: 2, ph: 'X' });
  });

  it('`wgml profile --out` writes a trace that validates', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wgml-prof-'));
    writeFileSync(join(dir, 'm.onnx'), fusedModel());
    const { out } = await runCli(register, ['profile', join(dir, 'm.onnx'), '--out', join(dir, 'trace.json'), '--deps', '--warmup', '1']);
    const trace = JSON.parse(readFileSync(join(dir, 'trace.json'), 'utf8'));
    expect(validateTrace(trace)).toEqual([]);
    expect(trace.traceEvents.filter((e: { ph: string }) => e.ph === 'X').length).toBeGreaterThan(0);
    expect(out).toMatch(/timed passes/);
    expect(out).toMatch(/reads +wgml heap|reads +x/);
    expect(out).not.toMatch(/^!/m);
  });

  it('encodeNetworkProfiled without timestamps matches encodeNetwork', async () => {
    const { device, args, bound, destroy } = await setup(fusedModel());
    let e = device.createCommandEncoder(); wgml.encodeNetwork(e, bound); device.queue.submit([e.finish()]);
    const a = await args.y!.read();
    e = device.createCommandEncoder(); encodeNetworkProfiled(e, bound); device.queue.submit([e.finish()]);
    expect(compareClose(await args.y!.read(), a, 0, 0)).toBeNull();
    destroy();
  });
});
