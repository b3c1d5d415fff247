/** Weights buffers shared by the pipelines of one graph (runtime/pipeline.ts createPipeline). */
import type { Graph } from '../ir/types.js';
import type { Program } from './program.js';
import { packHalf } from './half-weights.js';

/**
 * Weights buffers, shared by the pipelines of one graph whose weights sit at the same offsets (a text
 * model specialized to several sequence lengths): uploading a BERT-base's 340 MB again would cost
 * more than planning the second length does. Small tensors (folded shapes) are compared by content,
 * large ones by identity (they are the graph's own initializers).
 */
interface SharedWeights { buffer: GPUBuffer; refs: number; weights: Program['weights'] }
const sharedWeights = new WeakMap<GPUDevice, WeakMap<Graph, SharedWeights[]>>();

function sameWeights(a: Program['weights'], b: Program['weights']): boolean {
  if (a.length !== b.length) return false;
  return a.every((w, i) => {
    const v = b[i]!;
    if (w.name !== v.name || w.offset !== v.offset || !w.half !== !v.half || w.tensor.data.byteLength !== v.tensor.data.byteLength) return false;
    if (w.tensor.data === v.tensor.data) return true;
    if (w.tensor.data.byteLength > 4096) return false;
    const x = new Uint8Array(w.tensor.data.buffer, w.tensor.data.byteOffset, w.tensor.data.byteLength);
    const y = new Uint8Array(v.tensor.data.buffer, v.tensor.data.byteOffset, v.tensor.data.byteLength);
    return x.every((q, k) => q === y[k]);
  });
}

export function acquireWeights(device: GPUDevice, graph: Graph, program: Program, label: string): { buffer: GPUBuffer; release: () => void } {
  let byGraph = sharedWeights.get(device);
  if (!byGraph) { byGraph = new WeakMap(); sharedWeights.set(device, byGraph); }
  const list = byGraph.get(graph) ?? [];
  byGraph.set(graph, list);
  let entry = list.find((e) => sameWeights(e.weights, program.weights));
  if (!entry) {
    const buffer = device.createBuffer({ label: `${label} weights`, size: Math.max(256, program.weightsBytes), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    for (const w of program.weights) {
      const data = w.half ? packHalf(w.tensor) : w.tensor.data;
      if (data.byteLength) device.queue.writeBuffer(buffer, w.offset, data.buffer, data.byteOffset, data.byteLength);
    }
    entry = { buffer, refs: 0, weights: program.weights };
    list.push(entry);
  }
  entry.refs++;
  const e = entry;
  return {
    buffer: e.buffer,
    release: () => {
      if (--e.refs > 0) return;
      e.buffer.destroy();
      list.splice(list.indexOf(e), 1);
    },
  };
}
