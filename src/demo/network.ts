/**
 * The neural AO slot: G-buffer normal/depth texture → tensor [1, 4, H, W] → ONNX network → tensor
 * [1, 1, H, W] → r32float AO texture, all recorded into the frame's encoder (no readback).
 *
 * The runtime (loadLibrary, createPipeline, createHeap, encodeNetwork) is reached through the package
 * entry at run time, so the demo builds while they are being written;
 * if they are missing, asking for `ao: 'network'` fails loudly with {@link DemoError}, never falls back.
 */
import { WgmlError } from '../errors.js';
import { tensor, type Tensor } from '../tensor/tensor.js';
import { encodeTensorToTexture, encodeTextureToTensor } from '../tensor/texture.js';

/** A demo-level refusal (a missing runtime piece, a model that does not fit the AO contract). */
export class DemoError extends WgmlError {
  constructor(message: string, hint: string, details: Record<string, unknown> = {}) {
    super('E_DEMO', message, hint, details);
  }
}

/** Input and output names of models/ao/ao.onnx (training/train_ao.py exports them so). */
export const AO_INPUT = 'gbuffer';
export const AO_OUTPUT = 'ao';

export interface AONetwork {
  input: Tensor;
  output: Tensor;
  encode(encoder: GPUCommandEncoder, gbuffer: GPUTexture, ao: GPUTexture, timestampWrites?: GPUComputePassTimestampWrites): void;
  destroy(): void;
}

type Fn = (...args: never[]) => unknown;
const NEEDED = ['loadLibrary', 'createPipeline', 'createHeap', 'encodeNetwork'] as const;
// The package entry when it exists, else the runtime modules it re-exports.
const ENTRIES = [['../index.js'], ['../runtime/library.js', '../runtime/pipeline.js', '../runtime/heap.js', '../runtime/encode.js']];

async function runtime(): Promise<Record<(typeof NEEDED)[number], Fn>> {
  let mod: Record<string, unknown> = {};
  const errors: string[] = [];
  for (const group of ENTRIES) {
    try {
      // Computed specifiers keep tsc from resolving modules that may not exist yet in this build.
      mod = Object.assign({}, ...(await Promise.all(group.map((m) => import(m)))));
      if (NEEDED.every((k) => typeof mod[k] === 'function')) break;
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  const missing = NEEDED.filter((k) => typeof mod[k] !== 'function');
  if (missing.length) throw new DemoError(`the neural AO needs ${missing.join(', ')} from wgml, which this build does not export`,
    "render with ao: 'groundtruth' or 'none' until the network runtime and texture bridges land", { missing, errors });
  return mod as Record<(typeof NEEDED)[number], Fn>;
}

/** Whether this build can run the neural AO slot; the reason when not. */
export async function networkRuntimeStatus(): Promise<{ ok: true } | { ok: false; reason: string }> {
  try { await runtime(); return { ok: true }; } catch (e) { return { ok: false, reason: (e as Error).message }; }
}

/** Load the AO model and bind it to fresh input/output tensors for a width × height frame. */
export async function createAONetwork(device: GPUDevice, model: string | Uint8Array, width: number, height: number): Promise<AONetwork> {
  if (width % 4 || height % 4) throw new DemoError(`the AO network downsamples twice, so the frame size must be a multiple of 4; got ${width}×${height}`, 'pick a size divisible by 4', { width, height });
  const rt = await runtime();
  /* eslint-disable @typescript-eslint/no-explicit-any */
  const lib = (await (rt.loadLibrary as any)(device, model)) as any;
  const pipeline = (await (rt.createPipeline as any)(device, lib.function('main'), { inputDimensions: { [AO_INPUT]: [1, 4, height, width] } })) as any;
  const heap = (rt.createHeap as any)(device, pipeline.intermediatesHeapSize) as { destroy?: () => void };
  const input = tensor(device, { dtype: 'f32', shape: [1, 4, height, width], label: 'wgml demo AO input' });
  const output = tensor(device, { dtype: 'f32', shape: [1, 1, height, width], label: 'wgml demo AO output' });
  const args = pipeline.bind({ [AO_INPUT]: input, [AO_OUTPUT]: output }, heap);
  return {
    input, output,
    encode(encoder, gbuffer, ao, timestampWrites) {
      encodeTextureToTensor(encoder, gbuffer, input);
      (rt.encodeNetwork as any)(encoder, args, timestampWrites ? { timestampWrites } : {});
      encodeTensorToTexture(encoder, output, ao);
    },
    destroy() { input.destroy(); output.destroy(); heap.destroy?.(); },
  };
  /* eslint-enable @typescript-eslint/no-explicit-any */
}
