/**
 * The neural AO slot: the G-buffer's normal/depth texture is bound straight to the network input and
 * the r32float AO texture to its output; encodeNetwork records texture → tensor, the network and
 * tensor → texture into the frame's encoder (no readback, no extra submit).
 */
import { WgmlError } from '../errors.js';
import { loadLibrary } from '../runtime/library.js';
import { createPipeline } from '../runtime/pipeline.js';
import { createHeap } from '../runtime/heap.js';
import { encodeNetwork } from '../runtime/encode.js';
import type { BoundNetwork } from '../runtime/bind.js';

/** A demo-level refusal (a missing material or model, a model that does not fit the AO contract). */
export class DemoError extends WgmlError {
  constructor(message: string, hint: string, details: Record<string, unknown> = {}) {
    super('E_DEMO', message, hint, details);
  }
}

/** Input and output names of models/ao/ao.onnx (training/train_ao.py exports them so). */
export const AO_INPUT = 'gbuffer';
export const AO_OUTPUT = 'ao';

export interface AONetwork {
  bound: BoundNetwork;
  encode(encoder: GPUCommandEncoder, timestampWrites?: GPUComputePassTimestampWrites): void;
  destroy(): void;
}

/** Whether this build can run the neural AO slot (kept for tests written before the runtime landed). */
export async function networkRuntimeStatus(): Promise<{ ok: true } | { ok: false; reason: string }> {
  return { ok: true };
}

/**
 * Load the AO model (path in Node, URL in the browser, or bytes) and bind it to the frame's
 * G-buffer normal/depth texture (input) and AO texture (output).
 */
export async function createAONetwork(device: GPUDevice, model: string | URL | Uint8Array, gbuffer: GPUTexture, ao: GPUTexture): Promise<AONetwork> {
  const { width, height } = gbuffer;
  if (width % 4 || height % 4) throw new DemoError(`the AO network downsamples twice, so the frame size must be a multiple of 4; got ${width}×${height}`, 'pick a size divisible by 4', { width, height });
  const lib = await loadLibrary(device, model);
  const pipeline = await createPipeline(device, lib.function('main'), { inputDimensions: { [AO_INPUT]: [1, 4, height, width] }, label: 'wgml demo AO network' });
  const names = [...pipeline.inputs, ...pipeline.outputs].map((s) => s.name).sort().join(',');
  if (names !== [AO_INPUT, AO_OUTPUT].sort().join(','))
    throw new DemoError(`the AO model's inputs/outputs are ${names}; the demo binds '${AO_INPUT}' → '${AO_OUTPUT}'`, 'export the model with those names (training/train_ao.py does)', { names });
  const heap = createHeap(device, pipeline.intermediatesHeapSize, 'wgml demo AO heap');
  const bound = pipeline.bind({ [AO_INPUT]: gbuffer, [AO_OUTPUT]: ao }, heap);
  return {
    bound,
    encode(encoder, timestampWrites) { encodeNetwork(encoder, bound, timestampWrites ? { timestampWrites } : {}); },
    destroy() { bound.destroy(); heap.destroy(); pipeline.destroy?.(); },
  };
}
