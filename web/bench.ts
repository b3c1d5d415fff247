/**
 * The recording cost of issue 18 in a browser, where every WebGPU call also crosses Dawn's wire:
 * encodeNetwork's median CPU time per dispatch with one shared bind group ('shared') and with a bind
 * group per dispatch ('groups'), for one model, on whatever adapter the page gets. Both recordings'
 * outputs are read back and compared. Results land in the table and in window.__wgmlBench.
 */
import { requestDevice } from '../src/gpu/device.js';
import { loadLibrary } from '../src/runtime/library.js';
import { createPipeline } from '../src/runtime/pipeline.js';
import { createHeap } from '../src/runtime/heap.js';
import { encodeNetwork } from '../src/runtime/encode.js';
import { tensor, type Tensor } from '../src/tensor/tensor.js';

interface Row { recording: string; dispatches: number; pipelines: number; createPipelineMs: number; encodeUs: number; usPerDispatch: number; outputsEqual: boolean | null; reason?: string }
declare global { interface Window { __wgmlBench?: { adapter: string; rows: Row[] }; __wgmlError?: string } }

const params = new URLSearchParams(location.search);
const status = document.getElementById('status')!;
const table = document.getElementById('results') as HTMLTableElement;
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;

async function main(): Promise<void> {
  const device = await requestDevice({ quiet: true });
  const lib = await loadLibrary(device, new URL(params.get('model') ?? '../models/ao/ao.onnx', location.href));
  const dims: Record<string, number[]> = {};
  for (const d of params.getAll('dims')) { const [k, v] = d.split('='); dims[k!] = v!.split('x').map(Number); }
  if (!params.has('dims') && !params.has('model')) dims.gbuffer = [1, 5, 64, 64];
  const runs = Number(params.get("runs") ?? 1000);
  // Recordings timed together: the page's clock ticks in 0.1 ms steps, so a batch must take several.
  const rows: Row[] = [];
  let first: Float32Array[] | null = null;
  for (const recording of ['shared', 'groups'] as const) {
    status.textContent = `compiling (${recording})…`;
    const t0 = performance.now();
    let pipeline;
    try {
      pipeline = await createPipeline(device, lib.function('main'), { inputDimensions: dims, recording });
    } catch (e) {
      rows.push({ recording, dispatches: 0, pipelines: 0, createPipelineMs: 0, encodeUs: NaN, usPerDispatch: NaN, outputsEqual: null, reason: (e as Error).message });
      continue;
    }
    const createPipelineMs = performance.now() - t0;
    const args: Record<string, Tensor> = {};
    for (const s of [...pipeline.inputs, ...pipeline.outputs]) args[s.name] = tensor(device, { dtype: s.dtype, shape: s.shape, label: s.name });
    for (const s of pipeline.inputs) args[s.name]!.write(Float32Array.from({ length: s.shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.37)));
    const heap = createHeap(device, pipeline.intermediatesHeapSize);
    const bound = pipeline.bind(args, heap);
    // A page's clock is coarse (0.1 ms without cross-origin isolation): time batches of recordings into
    // one encoder and take the median batch.
    const cpu: number[] = [];
    const batch = Number(params.get('batch') ?? 50);
    // One recording runs (its outputs are compared); the timed batches are recorded and dropped, so a
    // software adapter does not have to execute thousands of networks.
    const once = device.createCommandEncoder();
    encodeNetwork(once, bound);
    device.queue.submit([once.finish()]);
    for (let i = 0; i < Math.max(1, Math.round(runs / batch)); i++) {
      const e = device.createCommandEncoder();
      const c0 = performance.now();
      for (let j = 0; j < batch; j++) encodeNetwork(e, bound);
      cpu.push(((performance.now() - c0) * 1000) / batch);
    }
    const outs = await Promise.all(pipeline.outputs.map((o) => args[o.name]!.read() as Promise<Float32Array>));
    const equal = first ? outs.every((o, k) => o.every((v, i) => v === first![k]![i])) : null;
    first ??= outs;
    const encodeUs = median(cpu);
    rows.push({ recording, dispatches: pipeline.dispatchCount, pipelines: pipeline.pipelineCount, createPipelineMs, encodeUs, usPerDispatch: encodeUs / pipeline.dispatchCount, outputsEqual: equal });
    for (const t of Object.values(args)) t.destroy();
    heap.destroy(); pipeline.destroy();
  }
  for (const r of rows) {
    const tr = table.insertRow();
    for (const v of [r.recording, r.dispatches, r.pipelines, r.createPipelineMs.toFixed(0), r.encodeUs.toFixed(1), r.usPerDispatch.toFixed(2), r.reason ?? String(r.outputsEqual ?? '—')]) tr.insertCell().textContent = String(v);
  }
  const info = (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  window.__wgmlBench = { adapter: info ? `${info.vendor} ${info.architecture} ${info.description}` : 'unknown', rows };
  status.textContent = `done on ${window.__wgmlBench.adapter}`;
}

main().catch((e: unknown) => {
  window.__wgmlError = (e as Error).message ?? String(e);
  status.textContent = `error: ${window.__wgmlError}`;
  status.className = 'error';
});
