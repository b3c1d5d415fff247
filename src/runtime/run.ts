/**
 * runModel: load, specialize to the inputs' shapes, run once, read back. The convenience path for
 * tests, the CLI and scripts; applications record with encodeNetwork instead.
 */
import type { Graph, HostTensor } from '../ir/types.js';
import { fmtShape, hostArrayFor, shapeSize } from '../ir/types.js';
import { tensor, type Tensor } from '../tensor/tensor.js';
import { withErrorScope } from '../gpu/scope.js';
import { BindingError } from '../errors.js';
import { loadGraph } from './library.js';
import { createPipeline, type NetworkPipeline, type PipelineOptions, type ProgressCallback } from './pipeline.js';
import { createHeap } from './heap.js';
import { encodeNetwork } from './encode.js';
import type { BoundNetwork } from './bind.js';
import { checkInputDtypes, checkInputNames, type InputCheckOptions } from './inputs.js';

export interface RunOptions extends InputCheckOptions {
  /**
   * Progress of the first run ('first run', kernels done, kernels): with it, each distinct kernel is
   * run once in a submit of its own before the real run, so drivers that compile at first use
   * (lavapipe: seconds per kernel) report where the time goes.
   */
  onProgress?: ProgressCallback;
}

/**
 * New tensors for a pipeline's outputs, added to `args` (and `made`). An output named as an input (a pass-through)
 * is that input's tensor: bind() takes one tensor per name.
 */
export function addOutputTensors(device: GPUDevice, pipeline: NetworkPipeline, args: Record<string, Tensor>, made?: { destroy(): void }[]): Record<string, Tensor> {
  for (const s of pipeline.outputs) if (!args[s.name]) { args[s.name] = tensor(device, { dtype: s.dtype, shape: s.shape, label: s.name }); made?.push(args[s.name]!); }
  return args;
}

/**
 * Upload host inputs into new tensors for a pipeline's inputs, refusing missing ones, wrong
 * element counts and (unless `castInputs`) wrong dtypes. The tensors are pushed onto `made`.
 */
export function uploadInputs(device: GPUDevice, pipeline: NetworkPipeline, inputs: Record<string, HostTensor>, made: { destroy(): void }[], opts: InputCheckOptions = {}): Record<string, Tensor> {
  const checked = checkInputDtypes(pipeline.inputs.map((s) => ({ name: s.name, dtype: s.elemType, shape: s.shape })), inputs, opts);
  const args: Record<string, Tensor> = {};
  for (const s of pipeline.inputs) {
    const h = checked[s.name];
    if (!h) throw new BindingError(`input '${s.name}' was not given`, `inputs: ${pipeline.inputs.map((i) => `${i.name} [${i.shape}]`).join(', ')}`, { input: s.name })
      .withCliHint(`give it with --input ${s.name}=FILE.npy (${s.elemType} ${fmtShape(s.shape)})`);
    if (shapeSize(h.shape) !== shapeSize(s.shape)) throw new BindingError(`input '${s.name}' has shape ${fmtShape(h.shape)}; the pipeline expects ${fmtShape(s.shape)}`, 'specialize the pipeline to the input shapes (inputDimensions)', { input: s.name })
      .withCliHint(`give --dims ${s.name}=${h.shape.join('x')}, or an array of shape ${fmtShape(s.shape)}`);
    const t = tensor(device, { dtype: s.dtype, shape: s.shape, label: s.name });
    made.push(t);
    const want = s.dtype === 'f32' ? Float32Array : s.dtype === 'i32' ? Int32Array : Uint32Array;
    t.write(h.data instanceof want ? h.data : new want(h.data));
    args[s.name] = t;
  }
  return args;
}

/**
 * Run each distinct kernel of a bound network once, one submit each, reporting progress. The
 * results are meaningless (the real run follows and overwrites them); what it buys is the driver's
 * compile-at-first-use cost paid visibly, kernel by kernel.
 */
export async function warmUpNetwork(bound: BoundNetwork, onProgress: ProgressCallback): Promise<void> {
  const p = bound.pipeline, device = p.device;
  const firsts: number[] = [];
  const seen = new Set<GPUComputePipeline>();
  p.program.dispatches.forEach((d, i) => {
    const wg = d.kernel.workgroups;
    if (wg[0] && wg[1] && wg[2] && !seen.has(p.gpuPipelines[i]!)) { seen.add(p.gpuPipelines[i]!); firsts.push(i); }
  });
  onProgress('first run', 0, firsts.length);
  for (let k = 0; k < firsts.length; k++) {
    const i = firsts[k]!;
    const enc = device.createCommandEncoder({ label: `wgml warm-up ${p.label}` });
    const pass = enc.beginComputePass({ label: `wgml warm-up ${p.program.dispatches[i]!.kernel.name}` });
    pass.setPipeline(p.gpuPipelines[i]!);
    pass.setBindGroup(0, bound.bindGroups[i]!);
    const wg = p.program.dispatches[i]!.kernel.workgroups;
    pass.dispatchWorkgroups(wg[0], wg[1], wg[2]);
    pass.end();
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
    onProgress('first run', k + 1, firsts.length);
  }
}

/** Run a compiled pipeline once on host data. */
export async function runPipeline(device: GPUDevice, pipeline: NetworkPipeline, inputs: Record<string, HostTensor>, opts: RunOptions = {}): Promise<Record<string, HostTensor>> {
  const made: { destroy(): void }[] = [];
  try {
    return await withErrorScope(device, `running '${pipeline.label}'`, async () => {
      const args = addOutputTensors(device, pipeline, uploadInputs(device, pipeline, inputs, made, opts), made);
      const heap = createHeap(device, pipeline.intermediatesHeapSize);
      made.push(heap);
      const bound = pipeline.bind(args, heap);
      if (opts.onProgress) await warmUpNetwork(bound, opts.onProgress);
      const enc = device.createCommandEncoder({ label: `wgml run ${pipeline.label}` });
      encodeNetwork(enc, bound);
      device.queue.submit([enc.finish()]);
      const out: Record<string, HostTensor> = {};
      for (const s of pipeline.outputs) {
        const raw = await args[s.name]!.read();
        const data = hostArrayFor(s.elemType, shapeSize(s.shape));
        data.set(raw as ArrayLike<number>);
        out[s.name] = { dtype: s.elemType, shape: [...s.shape], data };
      }
      return out;
    });
  } finally {
    for (const m of made) m.destroy();
  }
}

/**
 * Load a model (bytes, path or graph), specialize it to the given inputs' shapes, run it once.
 * Input names the model lacks and dtypes that differ from the model's are refused (`castInputs`
 * converts instead).
 * @example const { output } = await wgml.runModel(device, 'model.onnx', { input: { dtype: 'float32', shape: [1, 3, 8, 8], data } });
 */
export async function runModel(device: GPUDevice, model: Uint8Array | string | Graph, inputs: Record<string, HostTensor>, opts: PipelineOptions & RunOptions = {}): Promise<Record<string, HostTensor>> {
  const graph = model instanceof Uint8Array || typeof model === 'string' ? (await loadGraph(model)).graph : model;
  const declared = graph.inputs.filter((i) => !graph.initializers.has(i.name));
  checkInputNames(declared, inputs, new Set(graph.initializers.keys()));
  const given = checkInputDtypes(declared, inputs, opts);
  const inputDimensions: Record<string, number[]> = { ...(opts.inputDimensions as Record<string, number[]> | undefined) };
  for (const i of declared) if (given[i.name] && !inputDimensions[i.name] && !opts.inputValues?.[i.name]) inputDimensions[i.name] = given[i.name]!.shape;
  const pipeline = await createPipeline(device, graph, { ...opts, inputDimensions });
  try {
    return await runPipeline(device, pipeline, given, opts);
  } finally {
    pipeline.destroy();
  }
}
