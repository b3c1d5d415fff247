/**
 * Issue 18: a network's output with per-dispatch bind groups and with shared recording, each against a
 * reference computed elsewhere (onnxruntime on the same input), on the device at hand. The input is
 * sin(0.37·i) over the model's first input, so any tool can rebuild it.
 *   npx esbuild bench/recording-check.ts --bundle --platform=node --format=esm --packages=external --outfile=dist/bench/recording-check.js
 *   node dist/bench/recording-check.js MODEL.onnx REF.f32 [--runs 5] [--dims 1x3x224x224]
 * REF.f32: the first output as raw little-endian float32 (python3 bench/ort_reference.py MODEL.onnx REF.f32). Prints max |mode − ref| / max |ref| per run and mode.
 */
import { createPipeline } from '../src/runtime/pipeline.js';
import { createHeap } from '../src/runtime/heap.js';
import { encodeNetwork } from '../src/runtime/encode.js';
import { tensor, type Tensor } from '../src/tensor/tensor.js';
import { referenceCase } from './recording-ref.js';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1] ?? 5) || 5;
const { model, scale, device, graph, input, shape, fill, error } = await referenceCase(process.argv.slice(2));
for (const recording of ['groups', 'shared'] as const) {
  const p = await createPipeline(device, graph, { inputDimensions: { [input.name]: shape }, recording });
  const args: Record<string, Tensor> = {};
  for (const s of [...p.inputs, ...p.outputs]) args[s.name] = tensor(device, { dtype: s.dtype, shape: s.shape, label: s.name });
  fill(args[input.name]!);
  const bound = p.bind(args, createHeap(device, p.intermediatesHeapSize));
  const errs: string[] = [];
  for (let r = 0; r < runs; r++) {
    const e = device.createCommandEncoder(); encodeNetwork(e, bound); device.queue.submit([e.finish()]);
    const out = await args[p.outputs[0]!.name]!.read() as Float32Array;
    errs.push(error(out).toExponential(2));
  }
  console.log(`${model} ${recording}: max |out − onnxruntime| / max |ref| (${scale.toPrecision(4)}) per run: ${errs.join(' ')}`);
}
process.exit(0);
