/** The caller-owned heap that holds a network's intermediates; reusable across pipelines and frames. */
import { assertDeviceAlive, deviceLimits } from '../gpu/device.js';
import { LimitError, ResourceStateError } from '../errors.js';

export class Heap {
  readonly device: GPUDevice;
  readonly buffer: GPUBuffer;
  readonly size: number;
  #destroyed = false;
  /** @internal use {@link createHeap}. */
  constructor(device: GPUDevice, buffer: GPUBuffer, size: number) { this.device = device; this.buffer = buffer; this.size = size; }
  get destroyed(): boolean { return this.#destroyed; }
  destroy(): void { if (!this.#destroyed) { this.#destroyed = true; this.buffer.destroy(); } }
  assertUsable(device: GPUDevice): void {
    if (this.#destroyed) throw new ResourceStateError('the heap was used after destroy()', 'create a new heap with createHeap()');
    if (device !== this.device) throw new ResourceStateError('the heap belongs to another GPUDevice', 'create the heap on the device the pipeline was made for');
  }
}

/**
 * Create a heap for network intermediates. One heap can serve several pipelines that never run at
 * the same time (size it for the largest `intermediatesHeapSize`).
 * @example const heap = wgml.createHeap(device, pipeline.intermediatesHeapSize);
 */
export function createHeap(device: GPUDevice, size: number, label = 'wgml heap'): Heap {
  assertDeviceAlive(device);
  if (!Number.isInteger(size) || size < 0) throw new LimitError(`heap size ${size} is not a non-negative integer`, 'pass pipeline.intermediatesHeapSize');
  const max = deviceLimits(device).maxBufferSize;
  if (size > max)
    throw new LimitError(`a heap of ${size} bytes is over this device's maxBufferSize (${max})`, 'use smaller input dimensions, or a device with a larger maxBufferSize', { size, max });
  const buffer = device.createBuffer({ label, size: Math.max(256, Math.ceil(size / 4) * 4), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  return new Heap(device, buffer, size);
}
