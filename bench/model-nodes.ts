/**
 * Why a node is slower in the model than in a kernel sweep: for every node of a model (or those of
 * chosen ops), its kernels as planned (name, grid) and its GPU time measured five ways, all on the
 * model's own pipelines, bind groups and heap:
 * - `net`:  the node's share of the whole network run as one pass (the network's median time is printed
 *           too; per node: its pass in a run recorded one pass per node, as `wgml profile` records it);
 * - `cold`: the node alone in a pass after a 128 MiB write has flushed the L2 and the node before it has
 *           run again (its inputs hot, its weights cold: the network's situation, where 340 MB of
 *           weights stream through between two reads of any one of them);
 * - `hot1`: the node alone in a pass, right after itself (weights and inputs hot);
 * - `hotN`: REPS back-to-back repetitions in one pass, per repetition (what bench/gemm-kernels.ts measures).
 * net ≈ cold ≫ hot1 → cold weights; hot1 ≫ hotN → per-pass cost (launch, ramp), not the kernel;
 * net ≫ cold → the neighbours (clock, cache pollution). One line per distinct (op, kernels, grids);
 * identical nodes (12 layers) are timed once and counted.
 * Build and run (on the GPU machine after bench/pack.sh):
 *   npx esbuild bench/model-nodes.ts --bundle --platform=node --format=esm --packages=external --outfile=dist/bench/model-nodes.js
 *   node dist/bench/model-nodes.js MODEL.onnx [--ops MatMul,Gemm,LayerNormalization] [--reps 20] [--recording auto|shared|groups] [--dims NAME=AxBxC,...] [--json FILE]
 */
import { appendFileSync } from 'node:fs';
import { requestDevice } from '../src/gpu/device.js';
import { loadGraph } from '../src/runtime/library.js';
import { createPipeline } from '../src/runtime/pipeline.js';
import { createHeap } from '../src/runtime/heap.js';
import { encodeNetwork } from '../src/runtime/encode.js';
import { encodeNetworkProfiled } from '../src/debug/profiler.js';
import { warmUpNetwork } from '../src/runtime/run.js';
import { tensor, type Tensor } from '../src/tensor/tensor.js';
import type { BoundNetwork } from '../src/runtime/bind.js';

const arg = (name: string, dflt: string) => { const i = process.argv.indexOf(`--${name}`); return i >= 0 ? process.argv[i + 1]! : dflt; };
const model = process.argv[2]!;
const ops = arg('ops', '').split(',').filter(Boolean);
const reps = Number(arg('reps', '20'));
const jsonFile = arg('json', '');
const recording = arg('recording', 'auto') as 'auto' | 'shared' | 'groups';
const median = (a: number[]) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]!; };
const TIMED = 7;

let device: GPUDevice;

/** Timestamps of `n` passes: a query set, and a function that records, submits and reads them back. */
function timer(n: number) {
  const qs = device.createQuerySet({ type: 'timestamp', count: 2 * n });
  const resolve = device.createBuffer({ size: 16 * n, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
  const read = device.createBuffer({ size: 16 * n, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  return {
    tw: (i: number): GPUComputePassTimestampWrites => ({ querySet: qs, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 }),
    /** Finish the encoder, submit, and return each pass's µs. */
    async read(enc: GPUCommandEncoder, used: number): Promise<number[]> {
      enc.resolveQuerySet(qs, 0, 2 * used, resolve, 0);
      enc.copyBufferToBuffer(resolve, 0, read, 0, 16 * used);
      device.queue.submit([enc.finish()]);
      await read.mapAsync(GPUMapMode.READ);
      const t = new BigUint64Array(read.getMappedRange().slice(0, 16 * used));
      read.unmap();
      return Array.from({ length: used }, (_, i) => Number(t[2 * i + 1]! - t[2 * i]!) / 1000);
    },
    destroy() { qs.destroy(); resolve.destroy(); read.destroy(); },
  };
}

/** A pass that writes 128 MiB: more than any GPU's L2, so what the next pass reads comes from memory. */
function flusher(): (enc: GPUCommandEncoder) => void {
  const words = 32 << 20;
  const buf = device.createBuffer({ label: 'l2 flush', size: words * 4, usage: GPUBufferUsage.STORAGE });
  const module = device.createShaderModule({ label: 'l2 flush', code: `@group(0) @binding(0) var<storage, read_write> b: array<vec4<u32>>;
@compute @workgroup_size(256) fn main(@builtin(global_invocation_id) g: vec3<u32>, @builtin(num_workgroups) n: vec3<u32>) {
  let i = g.x + g.y * n.x * 256u; if (i < arrayLength(&b)) { b[i] = vec4<u32>(i); } }` });
  const pipe = device.createComputePipeline({ label: 'l2 flush', layout: 'auto', compute: { module, entryPoint: 'main' } });
  const bg = device.createBindGroup({ layout: pipe.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: buf } }] });
  const groups = words / 4 / 256;
  return (enc) => {
    const pass = enc.beginComputePass({ label: 'l2 flush' });
    pass.setPipeline(pipe); pass.setBindGroup(0, bg); pass.dispatchWorkgroups(8192, Math.ceil(groups / 8192), 1);
    pass.end();
  };
}

/** Record dispatches `ds` of the bound network `times` times into one pass. */
function encodeDispatches(enc: GPUCommandEncoder, bound: BoundNetwork, ds: number[], times: number, tw?: GPUComputePassTimestampWrites): void {
  const p = bound.pipeline;
  const pass = enc.beginComputePass(tw ? { timestampWrites: tw } : {});
  for (let r = 0; r < times; r++) for (const d of ds) {
    const wg = p.program.dispatches[d]!.kernel.workgroups;
    if (wg.some((w) => w === 0)) continue;
    pass.setPipeline(p.gpuPipelines[d]!); pass.setBindGroup(0, bound.bindGroups[d]!); pass.dispatchWorkgroups(...wg);
  }
  pass.end();
}

async function main(): Promise<void> {
  device = await requestDevice({ quiet: true });
  if (!device.features.has('timestamp-query')) throw new Error('this device has no timestamp-query');
  const { graph } = await loadGraph(model);
  // --dims NAME=AxBxC (repeatable as comma list) fixes symbolic dimensions; others default to 1.
  const given = new Map(arg('dims', '').split(',').filter(Boolean).map((s) => { const [n, v] = s.split('='); return [n!, v!.split('x').map(Number)] as const; }));
  const dims = Object.fromEntries(graph.inputs.filter((i) => !graph.initializers.has(i.name)).map((i) => [i.name, given.get(i.name) ?? i.shape.map((d) => (typeof d === 'number' ? d : 1))]));
  const pipeline = await createPipeline(device, graph, { inputDimensions: dims, recording });
  const args: Record<string, Tensor> = {};
  for (const s of [...pipeline.inputs, ...pipeline.outputs]) args[s.name] = tensor(device, { dtype: s.dtype, shape: s.shape, label: s.name });
  for (const s of pipeline.inputs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    if (s.dtype === 'f32') args[s.name]!.write(Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37)));
  }
  const heap = createHeap(device, pipeline.intermediatesHeapSize);
  const bound = pipeline.bind(args, heap);
  await warmUpNetwork(bound, () => {});
  const prog = pipeline.program;
  const flush = flusher();
  console.log(`${model}: ${prog.dispatches.length} dispatches, recording ${pipeline.recording.mode}, device ${device.adapterInfo?.description || device.adapterInfo?.device || '?'}`);

  // Whole network, one pass, and one pass per node (as `wgml profile`), after warm-up runs.
  const warm = () => { for (let i = 0; i < 20; i++) { const e = device.createCommandEncoder(); encodeNetwork(e, bound); device.queue.submit([e.finish()]); } };
  warm();
  const tn = timer(TIMED);
  const enc0 = device.createCommandEncoder();
  for (let i = 0; i < TIMED; i++) encodeNetwork(enc0, bound, { timestampWrites: tn.tw(i) });
  const netUs = median(await tn.read(enc0, TIMED));
  const withKernels = prog.nodes.filter((n) => n.dispatches.length);
  const tp = timer(withKernels.length * TIMED);
  const perNode = withKernels.map(() => [] as number[]);
  for (let r = 0; r < TIMED; r++) {
    warm();
    const enc = device.createCommandEncoder();
    encodeNetworkProfiled(enc, bound, (k) => tp.tw(k));
    (await tp.read(enc, withKernels.length)).forEach((us, k) => perNode[k]!.push(us));
  }
  const profUs = perNode.map(median);
  console.log(`network ${(netUs / 1000).toFixed(3)} ms in one pass; ${(profUs.reduce((a, b) => a + b, 0) / 1000).toFixed(3)} ms as one pass per node`);

  // Distinct nodes: (op, kernel names and grids).
  const groups = new Map<string, { idx: number[]; nodes: string[] }>();
  withKernels.forEach((n, k) => {
    if (ops.length && !ops.includes(n.opType.replace(/^wgml\./, ''))) return;
    const sig = `${n.opType} ${n.dispatches.map((d) => `${prog.dispatches[d]!.kernel.name}[${prog.dispatches[d]!.kernel.workgroups.join('x')}]`).join(' + ')}`;
    const g = groups.get(sig) ?? { idx: [], nodes: [] };
    g.idx.push(k); g.nodes.push(n.name);
    groups.set(sig, g);
  });
  const t1 = timer(3 * TIMED);
  console.log(`${'node (count)'.padEnd(48)} ${'net'.padStart(7)} ${'cold'.padStart(7)} ${'hot1'.padStart(7)} ${'hotN'.padStart(7)}  kernels`);
  let totals = { net: 0, cold: 0, hot1: 0, hotN: 0 };
  for (const [sig, g] of groups) {
    const k = g.idx[0]!;
    const node = withKernels[k]!;
    const prev = k > 0 ? withKernels[k - 1]!.dispatches : [];
    const enc = device.createCommandEncoder();
    // cold: flush, the node before (its inputs back in L2), the node (timed); hot1: the node again right after
    for (let r = 0; r < TIMED; r++) {
      flush(enc);
      if (prev.length) encodeDispatches(enc, bound, prev, 1);
      encodeDispatches(enc, bound, node.dispatches, 1, t1.tw(3 * r));
      encodeDispatches(enc, bound, node.dispatches, 1, t1.tw(3 * r + 1));
      encodeDispatches(enc, bound, node.dispatches, reps, t1.tw(3 * r + 2));
    }
    const t = await t1.read(enc, 3 * TIMED);
    const pick = (j: number, div = 1) => median(Array.from({ length: TIMED }, (_, r) => t[3 * r + j]! / div));
    const row = { net: median(g.idx.map((i) => profUs[i]!)), cold: pick(0), hot1: pick(1), hotN: pick(2, reps) };
    const n = g.idx.length;
    totals = { net: totals.net + n * row.net, cold: totals.cold + n * row.cold, hot1: totals.hot1 + n * row.hot1, hotN: totals.hotN + n * row.hotN };
    const label = `${node.opType} ${node.name.split('/').slice(-3).join('/')}`.slice(0, 42);
    console.log(`${`${label} (${n})`.padEnd(48)} ${row.net.toFixed(1).padStart(7)} ${row.cold.toFixed(1).padStart(7)} ${row.hot1.toFixed(1).padStart(7)} ${row.hotN.toFixed(1).padStart(7)}  ${sig.slice(sig.indexOf(' ') + 1)}`);
    if (jsonFile) appendFileSync(jsonFile, JSON.stringify({ model, recording: pipeline.recording.mode, op: node.opType, nodes: g.nodes, kernels: sig.slice(sig.indexOf(' ') + 1), ...row }) + '\n');
  }
  console.log(`${'total of the nodes above'.padEnd(48)} ${(totals.net / 1000).toFixed(3).padStart(7)} ${(totals.cold / 1000).toFixed(3).padStart(7)} ${(totals.hot1 / 1000).toFixed(3).padStart(7)} ${(totals.hotN / 1000).toFixed(3).padStart(7)}  ms`);
  if (jsonFile) appendFileSync(jsonFile, JSON.stringify({ model, recording: pipeline.recording.mode, networkUs: netUs, perNodePassesUs: profUs.reduce((a, b) => a + b, 0) }) + '\n');
  device.destroy();
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });
