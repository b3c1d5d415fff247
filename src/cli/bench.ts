/** `wgml bench`: median GPU time per inference (timestamp queries), median CPU time of encodeNetwork, heap bytes. */
import { parseIntTile } from '../ops/quant/int-gemm-tile.js';
import type { Command } from 'commander';
import { loadGraph } from '../runtime/library.js';
import type { WeightsPrecision } from '../runtime/half-weights.js';
import { createPipeline } from '../runtime/pipeline.js';
import { createHeap } from '../runtime/heap.js';
import { encodeNetwork } from '../runtime/encode.js';
import { tensor, type Tensor } from '../tensor/tensor.js';
import type { Graph } from '../ir/types.js';
import type { ProgressCallback } from '../runtime/pipeline.js';
import { addOutputTensors, warmUpNetwork } from '../runtime/run.js';
import { deviceInfo } from '../gpu/device.js';
import { action, checkDimsNames, cliDevice, collect, fmtBytes, numberOption, parseDims, WEIGHTS_OPTION } from './common.js';
import { UsageError } from '../errors.js';
import { Progress } from './progress.js';

const median = (a: number[]) => { const s = [...a].sort((x, y) => x - y); return s.length ? s[Math.floor(s.length / 2)]! : NaN; };

export interface BenchResult {
  model: string; adapter: string; gpuMs: number | null; gpuMsMin: number | null; encodeUs: number; runs: number;
  dispatches: number; intermediatesHeapSize: number; peakLiveBytes: number; weightsBytes: number; compileMs: number;
  /** How dispatches bind (issue 18), GPU pipelines compiled, and the createPipeline call alone. */
  recording: string; pipelines: number; createPipelineMs: number; encodeUsPerDispatch: number;
  /** setPipeline calls per recording: one per dispatch, less the second halves of split-K pairs (issue 18). */
  pipelineSets: number;
}

/** setPipeline calls encodeNetwork makes: a change of pipeline between consecutive (non-empty) dispatches. */
function pipelineSets(p: { program: { dispatches: { kernel: { workgroups: number[] } }[] }; gpuPipelines: readonly GPUComputePipeline[] }): number {
  let n = 0, last: GPUComputePipeline | null = null;
  p.program.dispatches.forEach((d, i) => {
    if (d.kernel.workgroups.some((w) => w === 0)) return;
    if (p.gpuPipelines[i] !== last) { n++; last = p.gpuPipelines[i]!; }
  });
  return n;
}

export async function benchModel(device: GPUDevice, model: string, dims: Record<string, number[]>, runs: number, warmup: number,
  opts: { graph?: Graph; onProgress?: ProgressCallback; recording?: 'auto' | 'shared' | 'groups'; splitKPairs?: 'conv' | 'all' | 'none'; weights?: WeightsPrecision; intTile?: string; intMatrix?: boolean } = {}): Promise<BenchResult> {
  const t0 = performance.now();
  const graph = opts.graph ?? (await loadGraph(model)).graph;
  const tp = performance.now();
  const pipeline = await createPipeline(device, graph, { inputDimensions: dims, onProgress: opts.onProgress, recording: opts.recording, splitKPairs: opts.splitKPairs, weights: opts.weights, intTile: opts.intTile, intMatrix: opts.intMatrix });
  const createPipelineMs = performance.now() - tp;
  const args: Record<string, Tensor> = {};
  for (const s of pipeline.inputs) args[s.name] = tensor(device, { dtype: s.dtype, shape: s.shape, label: s.name });
  addOutputTensors(device, pipeline, args);
  for (const s of pipeline.inputs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const data = s.dtype === 'f32' ? Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37)) : new (s.dtype === 'i32' ? Int32Array : Uint32Array)(n);
    args[s.name]!.write(data);
  }
  const heap = createHeap(device, pipeline.intermediatesHeapSize);
  const bound = pipeline.bind(args, heap);
  // The driver's compile-at-first-use, kernel by kernel, with progress; then the timed warm-up.
  await warmUpNetwork(bound, opts.onProgress ?? (() => {}));
  const compileMs = performance.now() - t0;
  const hasTs = device.features.has('timestamp-query');
  const qs = hasTs ? device.createQuerySet({ type: 'timestamp', count: 2 * runs, label: 'bench timestamps' }) : null;
  const resolve = hasTs ? device.createBuffer({ size: 16 * runs, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC, label: 'bench resolve' }) : null;
  const readback = hasTs ? device.createBuffer({ size: 16 * runs, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'bench readback' }) : null;
  for (let i = 0; i < warmup; i++) { const e = device.createCommandEncoder(); encodeNetwork(e, bound); device.queue.submit([e.finish()]); }
  await device.queue.onSubmittedWorkDone();
  // CPU cost of recording alone (no timestamp writes), as an application frame would pay it: in steady state, as
  // a game records every frame, so the JIT has seen encodeNetwork a few hundred times before the timed loop.
  // Every 10th recording is submitted on a GPU, as a game's would run; a software adapter would spend minutes
  // running those 50 inferences of a large model, so there they are finished and dropped.
  const sink = deviceInfo(device).software ? (e: GPUCommandEncoder) => void e.finish() : (e: GPUCommandEncoder) => device.queue.submit([e.finish()]);
  for (let i = 0; i < 200; i++) { const e = device.createCommandEncoder(); encodeNetwork(e, bound); if (i % 10 === 0) sink(e); }
  await device.queue.onSubmittedWorkDone();
  const cpu: number[] = [];
  for (let i = 0; i < Math.max(runs, 300); i++) {
    const e = device.createCommandEncoder();
    const c0 = performance.now();
    encodeNetwork(e, bound);
    cpu.push((performance.now() - c0) * 1000);
    if (i % 10 === 0) sink(e);
  }
  await device.queue.onSubmittedWorkDone();
  for (let i = 0; i < runs; i++) {
    const e = device.createCommandEncoder();
    const ts = qs ? { querySet: qs, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 } : undefined;
    encodeNetwork(e, bound, { timestampWrites: ts });
    device.queue.submit([e.finish()]);
  }
  let gpu: number[] = [];
  if (qs && resolve && readback) {
    const e = device.createCommandEncoder();
    e.resolveQuerySet(qs, 0, 2 * runs, resolve, 0);
    e.copyBufferToBuffer(resolve, 0, readback, 0, 16 * runs);
    device.queue.submit([e.finish()]);
    await readback.mapAsync(GPUMapMode.READ);
    const t = new BigUint64Array(readback.getMappedRange());
    gpu = Array.from({ length: runs }, (_, i) => Number(t[2 * i + 1]! - t[2 * i]!) / 1e6);
    readback.unmap();
  }
  await device.queue.onSubmittedWorkDone();
  const a = deviceInfo(device).adapter;
  const res: BenchResult = {
    model, adapter: a.description || a.device || a.vendor, gpuMs: gpu.length ? median(gpu) : null, gpuMsMin: gpu.length ? Math.min(...gpu) : null,
    encodeUs: median(cpu), runs, dispatches: pipeline.dispatchCount, intermediatesHeapSize: pipeline.intermediatesHeapSize,
    peakLiveBytes: pipeline.peakLiveBytes, weightsBytes: pipeline.weightsBytes, compileMs,
    recording: pipeline.recording.mode, pipelines: pipeline.pipelineCount, createPipelineMs, encodeUsPerDispatch: median(cpu) / Math.max(1, pipeline.dispatchCount),
    pipelineSets: pipelineSets(pipeline),
  };
  for (const t of Object.values(args)) t.destroy();
  heap.destroy(); pipeline.destroy(); qs?.destroy(); resolve?.destroy(); readback?.destroy();
  return res;
}

export function register(program: Command): void {
  program.command('bench <model>').description('median GPU time per inference (timestamp queries) and CPU time of encodeNetwork')
    .option('--dims <NAME=AxBxC>', 'concrete input dimensions (repeatable)', collect, [])
    .option('--runs <n>', 'timed runs', '50').option('--warmup <n>', 'warm-up runs', '10')
    .option('--recording <mode>', "how dispatches bind: auto, shared (one bind group, a pipeline per dispatch), groups (a bind group per dispatch)", 'auto')
    .option(...WEIGHTS_OPTION)
    .option('--split-k-pairs <which>', "split-K GEMMs whose two dispatches share one pipeline: conv, all (MatMul/Gemm too), none (for comparison)", 'conv')
    .option('--int-tile <variant>', 'integer GEMMs: the dot4 tile variant, bk16 or bk32, then pf (prefetch), v4 (vec4 loads of A), pb (packed B a word at a time), e.g. bk16, bk32pfv4 (for comparison)')
    .option('--int-matrix', 'integer GEMMs with a constant B on subgroup matrices where the device has int8 ones (experimental)')
    .option('--json', 'print JSON')
    .action(action(async (model: string, opts: { dims: string[]; runs: string; warmup: string; json?: boolean; recording: string; splitKPairs: string; weights: string; intTile?: string; intMatrix?: boolean }) => {
      if (opts.intTile !== undefined && !parseIntTile(opts.intTile)) throw new UsageError(`--int-tile ${opts.intTile} is not a tile variant`, 'give bk16 or bk32, optionally followed by pf, v4 and pb in that order, e.g. --int-tile bk32pfv4');
      if (!['auto', 'shared', 'groups'].includes(opts.recording)) throw new UsageError(`--recording must be auto, shared or groups, not '${opts.recording}'`, 'e.g. --recording shared');
      if (!['conv', 'all', 'none'].includes(opts.splitKPairs)) throw new UsageError(`--split-k-pairs must be conv, all or none, not '${opts.splitKPairs}'`, 'e.g. --split-k-pairs none');
      const runs = numberOption('--runs', opts.runs, { min: 1, max: 100000, example: '50' }), warmup = numberOption('--warmup', opts.warmup, { min: 0, example: '10' });
      const dims = parseDims(opts.dims);
      const { graph } = await loadGraph(model);
      checkDimsNames(graph, dims);
      const device = await cliDevice({ quiet: !!opts.json });
      const progress = new Progress('bench');
      const r = await benchModel(device, model, dims, runs, warmup, { graph, onProgress: progress.callback, recording: opts.recording as 'auto', splitKPairs: opts.splitKPairs as 'conv', weights: opts.weights as WeightsPrecision, intTile: opts.intTile, intMatrix: opts.intMatrix }).finally(() => progress.stop());
      if (opts.json) console.log(JSON.stringify(r));
      else {
        console.log(`${model} on ${r.adapter}`);
        console.log(`  GPU time per inference: ${r.gpuMs === null ? 'n/a (no timestamp-query)' : `${r.gpuMs.toFixed(3)} ms median, ${r.gpuMsMin!.toFixed(3)} ms min`} over ${runs} runs`);
        console.log(`  encodeNetwork CPU time: ${r.encodeUs.toFixed(1)} µs median (${r.dispatches} dispatches, ${r.encodeUsPerDispatch.toFixed(2)} µs each, ${r.pipelineSets} setPipeline; ${r.recording} recording, ${r.pipelines} pipelines, createPipeline ${r.createPipelineMs.toFixed(0)} ms)`);
        console.log(`  heap ${fmtBytes(r.intermediatesHeapSize)} (peak live ${fmtBytes(r.peakLiveBytes)}), weights ${fmtBytes(r.weightsBytes)}, compile ${r.compileMs.toFixed(0)} ms (with the first run of each kernel)`);
      }
      device.destroy();
    }));
}
