/**
 * What bench/recording-check.ts and bench/recording-bisect.ts share: the model, its onnxruntime reference
 * (bench/ort_reference.py: the first output for the input sin(0.37·i)), the device, the input shape
 * (`--dims AxBxC`, else the model's with symbolic dimensions 1) and the error measure.
 */
import { readFileSync } from 'node:fs';
import { requestDevice } from '../src/gpu/device.js';
import { loadGraph } from '../src/runtime/library.js';
import type { Tensor } from '../src/tensor/tensor.js';

export async function referenceCase(argv: string[]) {
  const [model, refFile] = argv;
  const raw = readFileSync(refFile!);
  const ref = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4).slice();
  const scale = ref.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
  const device = await requestDevice({ quiet: true });
  const { graph } = await loadGraph(model!);
  const input = graph.inputs.find((i) => !graph.initializers.has(i.name))!;
  const dimsArg = argv.indexOf('--dims');
  const shape = dimsArg > 0 ? argv[dimsArg + 1]!.split('x').map(Number) : input.shape.map((d) => (typeof d === 'number' ? d : 1));
  return {
    model: model!, ref, scale, device, graph, input, shape,
    /** Write the reference input into the input tensor. */
    fill(t: Tensor): void { t.write(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.37))); },
    /** max |out − ref| / max |ref|. */
    error(out: Float32Array): number { let d = 0; for (let i = 0; i < ref.length; i++) d = Math.max(d, Math.abs(out[i]! - ref[i]!)); return d / scale; },
  };
}
