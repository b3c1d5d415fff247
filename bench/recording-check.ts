/**
 * Issue 18: a network's output with per-dispatch bind groups and with shared recording, each against a
 * reference computed elsewhere (onnxruntime on the same input), on the device at hand. The input is
 * sin(0.37·i) over the model's first input, so any tool can rebuild it.
 *   npx esbuild bench/recording-check.ts --bundle --platform=node --format=esm --packages=external --outfile=dist/bench/recording-check.js
 *   node dist/bench/recording-check.js MODEL.onnx REF.f32 [--runs 5] [--dims 1x3x224x224]
 * REF.f32: the first output as raw little-endian float32 (python3 bench/ort_reference.py MODEL.onnx REF.f32). Prints max |mode − ref| / max |ref| per run and mode.
 */
import { readFileSync } from 'node:fs';
import { requestDevice } from '../src/gpu/device.js';
import { loadGraph } from '../src/runtime/library.js';
import { createPipeline } from '../src/runtime/pipeline.js';
import { createHeap } from '../src/runtime/heap.js';
import { encodeNetwork } from '../src/runtime/encode.js';
import { tensor, type Tensor } from '../src/tensor/tensor.js';

const [model, refFile] = process.argv.slice(2);
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1] ?? 5) || 5;
const raw = readFileSync(refFile!);
const ref = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4).slice();
const scale = ref.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
const device = await requestDevice({ quiet: true });
const { graph } = await loadGraph(model!);
const input = graph.inputs.find((i) => !graph.initializers.has(i.name))!;
const dimsArg = process.argv.indexOf("--dims"); const shape = dimsArg > 0 ? process.argv[dimsArg + 1]!.split("x").map(Number) : input.shape.map((d) => (typeof d === "number" ? d : 1));
for (const recording of ['groups', 'shared'] as const) {
  const p = await createPipeline(device, graph, { inputDimensions: { [input.name]: shape }, recording });
  const args: Record<string, Tensor> = {};
  for (const s of [...p.inputs, ...p.outputs]) args[s.name] = tensor(device, { dtype: s.dtype, shape: s.shape, label: s.name });
  args[input.name]!.write(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.37)));
  const bound = p.bind(args, createHeap(device, p.intermediatesHeapSize));
  const errs: string[] = [];
  for (let r = 0; r < runs; r++) {
    const e = device.createCommandEncoder(); encodeNetwork(e, bound); device.queue.submit([e.finish()]);
    const out = await args[p.outputs[0]!.name]!.read() as Float32Array;
    let d = 0; for (let i = 0; i < ref.length; i++) d = Math.max(d, Math.abs(out[i]! - ref[i]!));
    errs.push((d / scale).toExponential(2));
  }
  console.log(`${model} ${recording}: max |out − onnxruntime| / max |ref| (${scale.toPrecision(4)}) per run: ${errs.join(' ')}`);
}
process.exit(0);
