/**
 * runModel: load, specialize to the inputs' shapes, run once, read back. The convenience path for
 * tests, the CLI and scripts; applications record with encodeNetwork instead.
 */
import type { Graph, HostTensor } from '../ir/types.js';
import { hostArrayFor, shapeSize } from '../ir/types.js';
import { tensor, type Tensor } from '../tensor/tensor.js';
import { withErrorScope } from '../gpu/scope.js';
import { BindingError } from '../errors.js';
import { loadGraph } from './library.js';
import { createPipeline, type NetworkPipeline, type PipelineOptions } from './pipeline.js';
import { createHeap } from './heap.js';
import { encodeNetwork } from './encode.js';

function upload(device: GPUDevice, name: string, dtype: 'f32' | 'i32' | 'u32', h: HostTensor): Tensor {
  const t = tensor(device, { dtype, shape: h.shape, label: name });
  const want = dtype === 'f32' ? Float32Array : dtype === 'i32' ? Int32Array : Uint32Array;
  t.write(h.data instanceof want ? h.data : new want(h.data));
  return t;
}

/** Run a compiled pipeline once on host data. */
export async function runPipeline(device: GPUDevice, pipeline: NetworkPipeline, inputs: Record<string, HostTensor>): Promise<Record<string, HostTensor>> {
  const made: { destroy(): void }[] = [];
  try {
    return await withErrorScope(device, `running '${pipeline.label}'`, async () => {
      const args: Record<string, Tensor> = {};
      for (const s of pipeline.inputs) {
        const h = inputs[s.name];
        if (!h) throw new BindingError(`input '${s.name}' was not given`, `inputs: ${pipeline.inputs.map((i) => `${i.name} [${i.shape}]`).join(', ')}`, { input: s.name });
        args[s.name] = upload(device, s.name, s.dtype, h);
        made.push(args[s.name]!);
      }
      for (const s of pipeline.outputs) { args[s.name] = tensor(device, { dtype: s.dtype, shape: s.shape, label: s.name }); made.push(args[s.name]!); }
      const heap = createHeap(device, pipeline.intermediatesHeapSize);
      made.push(heap);
      const bound = pipeline.bind(args, heap);
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
 * @example const { output } = await wgml.runModel(device, 'model.onnx', { input: { dtype: 'float32', shape: [1, 3, 8, 8], data } });
 */
export async function runModel(device: GPUDevice, model: Uint8Array | string | Graph, inputs: Record<string, HostTensor>, opts: PipelineOptions = {}): Promise<Record<string, HostTensor>> {
  const graph = model instanceof Uint8Array || typeof model === 'string' ? (await loadGraph(model)).graph : model;
  const inputDimensions: Record<string, number[]> = { ...(opts.inputDimensions as Record<string, number[]> | undefined) };
  for (const i of graph.inputs) if (inputs[i.name] && !inputDimensions[i.name] && !graph.initializers.has(i.name)) inputDimensions[i.name] = inputs[i.name]!.shape;
  const pipeline = await createPipeline(device, graph, { ...opts, inputDimensions });
  try {
    return await runPipeline(device, pipeline, inputs);
  } finally {
    pipeline.destroy();
  }
}
